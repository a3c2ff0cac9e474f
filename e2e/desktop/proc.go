//go:build linux

package desktop

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long a process gets between SIGTERM and SIGKILL.
const stopGrace = 5 * time.Second

// proc is a long-running process started by the harness, in its own
// process group.
type proc struct {
	name  string
	cmd   *exec.Cmd
	logs  []string
	isApp bool
	done  chan struct{} // closed once cmd.Wait returned
	err   error         // cmd.Wait's result, valid after done
}

func newProcAttr() *syscall.SysProcAttr {
	// Own process group, so stop() reaches children (xclip forks and stays
	// in its group). Pdeathsig: if the test binary dies without cleanup
	// (go test -timeout), the services do not outlive it.
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// spawn starts cmd with the session's environment (unless cmd.Env is set),
// HOME as working directory (unless cmd.Dir is set) and stdout and stderr,
// where not set, to logs/<name>.log. logs names extra output files to record. isApp marks an app (stopped first at teardown).
func (d *Desktop) spawn(name string, cmd *exec.Cmd, isApp bool, logs ...string) (*proc, error) {
	if cmd.Env == nil {
		cmd.Env = d.Env()
	}
	if cmd.Dir == "" {
		cmd.Dir = d.home
	}
	cmd.SysProcAttr = newProcAttr()
	if cmd.Stdout == nil || cmd.Stderr == nil {
		f, err := os.Create(filepath.Join(d.logs, name+".log"))
		if err != nil {
			return nil, err
		}
		defer f.Close() // the child has its own copy
		if cmd.Stdout == nil {
			cmd.Stdout = f
		}
		if cmd.Stderr == nil {
			cmd.Stderr = f
		}
		logs = append([]string{f.Name()}, logs...)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logs: logs, isApp: isApp, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	d.record(name, cmd, logs...)
	d.mu.Lock()
	d.procs = append(d.procs, p)
	d.pgids[cmd.Process.Pid] = true
	d.mu.Unlock()
	return p, nil
}

// record remembers a started command (and appends it to processes.txt).
func (d *Desktop) record(name string, cmd *exec.Cmd, logs ...string) {
	r := Process{
		Name: name,
		Args: append([]string(nil), cmd.Args...),
		Env:  append([]string(nil), cmd.Env...),
		Dir:  cmd.Dir,
		PID:  cmd.Process.Pid,
		Logs: logs,
	}
	r.Args[0] = cmd.Path
	d.mu.Lock()
	d.records = append(d.records, r)
	d.mu.Unlock()
	if f, err := os.OpenFile(filepath.Join(d.root, "processes.txt"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		fmt.Fprintf(f, "%s\n", r)
		f.Close()
	}
}

func (r Process) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (pid %d): %s\n  dir: %s\n  env:", r.Name, r.PID, strings.Join(quoteArgs(r.Args), " "), r.Dir)
	for _, kv := range r.Env {
		fmt.Fprintf(&b, "\n    %s", kv)
	}
	if len(r.Logs) > 0 {
		fmt.Fprintf(&b, "\n  output: %s", strings.Join(r.Logs, ", "))
	}
	return b.String()
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`") {
			a = strconv.Quote(a)
		}
		out[i] = a
	}
	return out
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitUntil polls cond until it is true (→ true), the process exits or the
// timeout passes (→ false).
func (p *proc) waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if p.exited() {
			return cond()
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after grace, and
// waits for the process to be reaped.
func (p *proc) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
		return
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
}

// close tears the session down: apps, then the harness's bus connections,
// then the services in reverse start order; then any process still carrying
// the session marker is killed and, if it became our child, reaped.
func (d *Desktop) close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	procs := append([]*proc(nil), d.procs...)
	d.mu.Unlock()

	if d.root == "" {
		return
	}
	before := markerPIDs(d.root)

	for i := len(procs) - 1; i >= 0; i-- {
		if procs[i].isApp {
			procs[i].stop(stopGrace)
		}
	}
	if d.svcConn != nil {
		_ = d.svcConn.Close()
	}
	if d.conn != nil {
		_ = d.conn.Close()
	}
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop(stopGrace)
	}

	d.sweep(procs, before)
	if rest := markerPIDs(d.root); len(rest) > 0 {
		d.t.Errorf("e2e/desktop: processes still running after teardown: %v", rest)
	}
	d.checkRaces()

	if d.t.Failed() {
		d.logProcesses()
	}
	if os.Getenv("E2E_DESKTOP_KEEP") != "" {
		d.t.Logf("e2e/desktop: kept session directory %s", d.root)
		return
	}
	if err := os.RemoveAll(d.root); err != nil {
		d.t.Logf("e2e/desktop: removing %s: %v", d.root, err)
	}
}

// sweep kills and reaps what the session left behind: processes carrying
// the marker (before: those seen when teardown began), and members of the
// process groups the harness created (xclip forks and stays in its group;
// once orphaned it is re-parented to us, see enableSubreaper, and must be
// reaped even if it already exited and its environment is gone).
func (d *Desktop) sweep(procs []*proc, before []int) {
	tracked := map[int]bool{}
	for _, p := range procs {
		tracked[p.cmd.Process.Pid] = true
	}
	d.mu.Lock()
	groups := make(map[int]bool, len(d.pgids))
	for g := range d.pgids {
		groups[g] = true
	}
	d.mu.Unlock()

	left := map[int]bool{}
	for _, pid := range append(before, markerPIDs(d.root)...) {
		left[pid] = true
	}
	self := os.Getpid()
	for _, st := range procStats() {
		// A non-leader member of one of our groups is a descendant of ours.
		if groups[st.pgrp] && st.pid != st.pgrp && (st.ppid == self || st.state != 'Z') {
			left[st.pid] = true
		}
	}
	for pid := range tracked {
		delete(left, pid)
	}
	for pid := range left {
		if hasMarker(pid, d.root) || inGroup(pid, groups) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for pid := range left {
		reap(pid, d.root)
	}
}

type procStat struct {
	pid, ppid, pgrp int
	state           byte
}

// procStats reads pid, state, ppid and process group of every process.
func procStats() []procStat {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []procStat
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); ok {
			out = append(out, st)
		}
	}
	return out
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 || len(f[0]) != 1 {
		return procStat{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return procStat{}, false
	}
	return procStat{pid: pid, ppid: ppid, pgrp: pgrp, state: f[0][0]}, true
}

func inGroup(pid int, groups map[int]bool) bool {
	st, ok := readStat(pid)
	return ok && st.state != 'Z' && groups[st.pgrp] && st.pid != st.pgrp
}

// logProcesses logs, for a failed test, every process the harness started
// with its command line, environment (beyond the session's) and the end of
// its output.
func (d *Desktop) logProcesses() {
	base := map[string]bool{}
	for _, kv := range d.Env() {
		base[kv] = true
	}
	d.t.Logf("e2e/desktop: session environment (given to every process):\n  %s", strings.Join(d.Env(), "\n  "))
	for _, r := range d.Processes() {
		var b strings.Builder
		fmt.Fprintf(&b, "e2e/desktop: started %s (pid %d): %s", r.Name, r.PID, strings.Join(quoteArgs(r.Args), " "))
		for _, kv := range r.Env {
			if !base[kv] {
				fmt.Fprintf(&b, "\n  env %s", kv)
			}
		}
		for _, l := range r.Logs {
			fmt.Fprintf(&b, "\n  --- %s:\n%s", filepath.Base(l), indent(tail(l, 60), "  "))
		}
		d.t.Logf("%s", b.String())
	}
	// Logs the programs wrote under the session's XDG_STATE_HOME (the
	// tray's plextray.log): what a program did, not only what it printed.
	_ = filepath.WalkDir(d.state, func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(path, ".log") {
			d.t.Logf("e2e/desktop: %s:\n%s", path, indent(tail(path, 80), "  "))
		}
		return nil
	})
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// markerPIDs lists the live processes (other than this one) whose
// environment holds the session marker.
func markerPIDs(root string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if hasMarker(pid, root) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func hasMarker(pid int, root string) bool {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	want := []byte(markerVar + "=" + root)
	for _, kv := range bytes.Split(env, []byte{0}) {
		if bytes.Equal(kv, want) {
			return true
		}
	}
	return false
}

// reap waits (briefly) for a killed leftover to go away, and collects its
// exit status if it was re-parented to us (see enableSubreaper).
func reap(pid int, root string) {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		if got == pid {
			return
		}
		if errors.Is(err, syscall.ECHILD) {
			if st, ok := readStat(pid); !ok || st.state == 'Z' {
				return // not our child, and gone (or a zombie someone else reaps)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var subreaperOnce sync.Once

// enableSubreaper makes this process the "init" for its orphaned
// descendants (PR_SET_CHILD_SUBREAPER), so that a process an app leaves
// behind (xclip serving the clipboard) is re-parented to us and can be
// reaped at teardown instead of staying a zombie under an init that does
// not reap. Only processes carrying the session marker are ever reaped.
func enableSubreaper() {
	subreaperOnce.Do(func() {
		const prSetChildSubreaper = 36
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	})
}
