//go:build linux

package desktop

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The programs an app starts (the browser opener, the clipboard tool) are
// scripts of the harness that first record their own command line and
// environment, as /proc shows them to every local user, and then do their
// job (the fake xdg-open) or exec the real tool (xclip, xsel). Children
// returns those records, so a test can check that no secret was visible.

// wrapped names the host tools the app gets through a recording wrapper.
var wrapped = map[string]bool{"xclip": true, "xsel": true}

// recordSelf is the shell snippet that saves /proc/$$/cmdline and
// /proc/$$/environ of the running script under dir.
func recordSelf(dir, name string) string {
	cat, err := exec.LookPath("cat")
	if err != nil {
		cat = "/bin/cat"
	}
	base := shellQuote(filepath.Join(dir, name)) + "-$$"
	return shellQuote(cat) + " /proc/$$/cmdline > " + base + ".cmdline\n" +
		shellQuote(cat) + " /proc/$$/environ > " + base + ".environ\n"
}

// Children lists every run of a wrapped program (xdg-open, xclip, xsel) in
// the session so far, with the command line and environment it had. Args
// holds the script's command line (the interpreter, the script, its
// arguments).
func (d *Desktop) Children() []Process {
	files, _ := filepath.Glob(filepath.Join(d.children, "*.cmdline"))
	var out []Process
	for _, f := range files {
		stem := strings.TrimSuffix(filepath.Base(f), ".cmdline")
		i := strings.LastIndexByte(stem, '-')
		if i < 0 {
			continue
		}
		pid, _ := strconv.Atoi(stem[i+1:])
		args, _ := os.ReadFile(f)
		env, _ := os.ReadFile(strings.TrimSuffix(f, ".cmdline") + ".environ")
		out = append(out, Process{Name: stem[:i], PID: pid, Args: splitNUL(args), Env: splitNUL(env)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

func splitNUL(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	var out []string
	for _, s := range bytes.Split(b, []byte{0}) {
		out = append(out, string(s))
	}
	return out
}

// Strays lists live processes of the session the harness did not start
// itself: a daemon a program left behind (a dbus-daemon or
// gnome-keyring-daemon it autolaunched, a clipboard server), as
// "pid name: command line".
func (d *Desktop) Strays() []string {
	ours := map[int]bool{}
	for _, p := range d.Processes() {
		ours[p.PID] = true
	}
	var out []string
	for _, pid := range markerPIDs(d.root) {
		if ours[pid] {
			continue
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if st, ok := readStat(pid); !ok || st.state == 'Z' {
			continue
		}
		out = append(out, fmt.Sprintf("%d %s: %s", pid, strings.TrimSpace(string(comm)), strings.Join(splitNUL(cmdline), " ")))
	}
	return out
}
