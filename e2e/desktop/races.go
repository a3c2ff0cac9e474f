//go:build linux

package desktop

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Every process started with Env() runs with GORACE log_path set into the
// session directory, so the race detector of any -race binary (apps,
// command-line runs, their children) writes each report to race/report.<pid>
// instead of stderr, and exits 0 as it would without races. The harness
// reads them all at teardown and fails the test for every report.

const raceDir = "race"

// goraceValue is the GORACE value for the session: exitcode=0 (the reports
// are what counts, not the exit code, so a test can still check an app's
// own exit code), then the test's own GORACE options, then log_path.
func (d *Desktop) goraceValue() string {
	opts := []string{"exitcode=0"}
	for _, o := range strings.Fields(os.Getenv("GORACE")) {
		if !strings.HasPrefix(o, "log_path=") {
			opts = append(opts, o)
		}
	}
	opts = append(opts, "log_path="+filepath.Join(d.root, raceDir, "report"))
	return strings.Join(opts, " ")
}

// Race is one data race report written by a process of the session.
type Race struct {
	PID    int
	Report string // from "WARNING: DATA RACE" to the end of the report
}

// splitRaces returns the race reports in a race detector log.
func splitRaces(log string) []string {
	const start = "WARNING: DATA RACE"
	var out []string
	for _, block := range strings.Split(log, start)[1:] {
		report, _, _ := strings.Cut(block, "==================")
		out = append(out, start+report)
	}
	return out
}

// Races returns every race report the session's processes have written so
// far, known ones included, oldest process first.
func (d *Desktop) Races() []Race {
	files, _ := filepath.Glob(filepath.Join(d.root, raceDir, "report.*"))
	var races []Race
	for _, f := range files {
		pid, _ := strconv.Atoi(strings.TrimPrefix(filepath.Ext(f), "."))
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, r := range splitRaces(string(b)) {
			races = append(races, Race{PID: pid, Report: r})
		}
	}
	sort.SliceStable(races, func(i, j int) bool { return races[i].PID < races[j].PID })
	return races
}

// checkRaces fails the test for every race; called at teardown,
// once every process has stopped.
func (d *Desktop) checkRaces() {
	names := map[int]string{}
	for _, p := range d.Processes() {
		names[p.PID] = p.Name + " " + strings.Join(quoteArgs(p.Args[1:]), " ")
	}
	for _, r := range d.Races() {
		who := names[r.PID]
		if who == "" {
			who = "a process of the session"
		}
		d.t.Errorf("e2e/desktop: data race in %s (pid %d):\n%s", who, r.PID, r.Report)
	}
}
