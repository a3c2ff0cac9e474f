//go:build linux

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/plextvsim"
)

// BenchmarkURIProcess runs the binary, built as the packages build it
// (desktop.BuildAsPackaged: no cgo, stripped), as a script would, `plextray uri Study`, against the simulator's
// server with a remote that hangs, a local https answering after 2 s, a
// fast local https and a relay that refuses. Each iteration is one whole
// process, and fails unless the fast local https URI is printed and the
// process exits 0:
//
//   - tray-running: as people run it, beside the signed-in tray (a
//     desktop session of the e2e harness: private session bus,
//     gnome-keyring, the token in the keyring), which has checked the
//     servers: the process starts, finds the tray's last check current
//     (package lastcheck) and prints its URI;
//   - checks-itself: no tray, PLEXTRAY_TOKEN set: start, read the
//     settings and client identifier, ask the simulated plex.tv for
//     resources, probe, print;
//   - and two floors, measured the same way: version, `plextray
//     --version` (this binary's start and its command tree, nothing
//     else), and bare-go, a Go program that prints one line
//     (e2e/desktop/testdata/bare), built the same way.
//
// ms/process is the mean wall time per process, ms-median the median
// (target: ≤ 15 ms median; docs/benchmarks.md), cpu-ms-median the median
// CPU time (user + system) of a process, which depends less on what else
// the machine runs.
//
//	go test -run '^$' -bench URIProcess -benchtime 20x ./e2e/
func BenchmarkURIProcess(b *testing.B) {
	bin := desktop.BuildAsPackaged(b, "github.com/plextray/plextray/cmd/plextray")
	b.Run("tray-running", func(b *testing.B) {
		if testing.Short() {
			b.Skip("end-to-end benchmark: skipped with -short")
		}
		tray := desktop.Build(b, "github.com/plextray/plextray/cmd/tray")
		sim := plextvsim.StartForTest(b, plextvsim.Options{})
		fast := studyServer(b, sim)
		tok, err := sim.NewToken("")
		if err != nil {
			b.Fatal(err)
		}
		ca := filepath.Join(b.TempDir(), "ca.pem")
		if err := plextvsim.WriteCACert(ca); err != nil {
			b.Fatal(err)
		}
		d := desktop.Start(b, desktop.Options{})
		storeToken(b, d, tok)
		env := []string{"PLEXTRAY_PLEXTV_URL=" + sim.URL(), "PLEXTRAY_APP_URL=" + sim.URL(), "SSL_CERT_FILE=" + ca, "PLEXTRAY_PROBE_TIMEOUT=1s"}
		app := d.StartApp(b, tray, nil, env...)
		app.Tray(b, wait).WaitFor(b, "servers checked", has("Checked at "), wait)
		waitLastCheck(b, configDirOf(b, d.Env()), "the tray's check with Study's fast URI", func(r lastcheck.Record) bool {
			s, _, err := r.Find("Study")
			return err == nil && s.URI == fast
		})
		asked := len(sim.Requests())
		measureProcess(b, d.Env(env...), fast+"\n", bin, "uri", "Study", "--timeout", "10s")
		if n := len(sim.Requests()); n != asked {
			b.Fatalf("the processes asked plex.tv %d times: not the tray's answer", n-asked)
		}
	})
	b.Run("checks-itself", func(b *testing.B) {
		sim := plextvsim.StartForTest(b, plextvsim.Options{})
		fast := studyServer(b, sim)
		tok, err := sim.NewToken("")
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		ca := filepath.Join(dir, "ca.pem")
		if err := plextvsim.WriteCACert(ca); err != nil {
			b.Fatal(err)
		}
		measureProcess(b, []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
			"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
			"PLEXTRAY_PLEXTV_URL=" + sim.URL(), "PLEXTRAY_TOKEN=" + tok, "SSL_CERT_FILE=" + ca,
		}, fast+"\n", bin, "uri", "Study", "--timeout", "10s")
	})
	b.Run("version", func(b *testing.B) {
		dir := b.TempDir()
		measureProcess(b, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, "", bin, "--version")
	})
	b.Run("bare-go", func(b *testing.B) {
		bare := desktop.BuildAsPackaged(b, "github.com/plextray/plextray/e2e/desktop/testdata/bare")
		measureProcess(b, nil, "https://127.0.0.1:32400\n", bare)
	})
}

// measureProcess runs cmd with env once per iteration (after one run
// that is not counted), fails unless it exits 0 and prints want (any
// line for ""), and reports its times.
func measureProcess(b *testing.B, env []string, want string, cmd ...string) {
	var cpu []time.Duration // user + system time of each process
	run := func() time.Duration {
		var out, errb bytes.Buffer
		c := exec.Command(cmd[0], cmd[1:]...)
		c.Env, c.Stdout, c.Stderr = env, &out, &errb
		start := time.Now()
		err := c.Run()
		d := time.Since(start)
		if c.ProcessState != nil {
			cpu = append(cpu, c.ProcessState.UserTime()+c.ProcessState.SystemTime())
		}
		if err != nil || want != "" && out.String() != want || want == "" && !strings.HasSuffix(out.String(), "\n") {
			b.Fatalf("%q: %v, stdout %q (want %q)\n%s", cmd, err, out.String(), want, errb.String())
		}
		return d
	}
	run() // the client identifier is made once per install
	cpu = cpu[:0]
	var all []time.Duration
	b.ResetTimer()
	for b.Loop() {
		all = append(all, run())
	}
	b.StopTimer()
	var total time.Duration
	for _, d := range all {
		total += d
	}
	slices.Sort(all)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(total)/float64(len(all)), "ms/process")
	b.ReportMetric(ms(all[len(all)/2]), "ms-median")
	slices.Sort(cpu)
	b.ReportMetric(ms(cpu[len(cpu)/2]), "cpu-ms-median")
}

// studyServer lists the simulator's mixed "Study" server
// (plextvsim.AddMixedServer) and returns its fast connection's URI.
func studyServer(tb testing.TB, sim *plextvsim.Sim) string {
	tb.Helper()
	fast, err := sim.AddMixedServer()
	if err != nil {
		tb.Fatal(err)
	}
	return fast
}
