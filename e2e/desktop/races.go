//go:build linux

package desktop

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Every process started with Env() runs with GORACE log_path set into the
// session directory, so the race detector of any -race binary (apps,
// command-line runs, their children) writes each report to race/report.<pid>
// instead of stderr, and exits 0 as it would without races. The harness
// reads them all at teardown and fails the test for any report other than
// the one known upstream race (KnownRace).

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

// KnownRace is the race excused everywhere: fyne.io/systray v1.12.2
// writes menuVersion in refresh() under instance.lock while GetLayout
// reads it under menuLock (systray_menu_unix.go lines 423 and 91). It is
// matched by exactly these two accesses, in this module version; any other
// race fails the test, including this one in another version.
var KnownRace = [2]string{
	"fyne.io/systray@v1.12.2/systray_menu_unix.go:423", // write, refresh()
	"fyne.io/systray@v1.12.2/systray_menu_unix.go:91",  // read, (*tray).GetLayout()
}

var (
	accessRE = regexp.MustCompile(`^(Previous )?([Rr]ead|[Ww]rite|Atomic [Rr]ead|Atomic [Ww]rite)( of size \d+)? at 0x[0-9a-f]+ by `)
	frameRE  = regexp.MustCompile(`^\s+(\S+\.go:\d+)( \+0x[0-9a-f]+)?$`)
)

// IsKnownRace reports whether report (one race detector report) is the
// known upstream race: its two accesses are a write at KnownRace[0] and a
// read at KnownRace[1], each the top frame of its stack.
func IsKnownRace(report string) bool {
	var kinds, tops []string
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		m := accessRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		// The top frame: a function line, then its file:line.
		if i+2 >= len(lines) {
			return false
		}
		f := frameRE.FindStringSubmatch(lines[i+2])
		if f == nil {
			return false
		}
		kinds = append(kinds, strings.ToLower(m[2]))
		tops = append(tops, f[1])
	}
	if len(tops) != 2 {
		return false
	}
	at := func(path, want string) bool { return path == want || strings.HasSuffix(path, "/"+want) }
	for _, o := range [][2]int{{0, 1}, {1, 0}} {
		w, r := o[0], o[1]
		if kinds[w] == "write" && kinds[r] == "read" && at(tops[w], KnownRace[0]) && at(tops[r], KnownRace[1]) {
			return true
		}
	}
	return false
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

// UnknownRaces returns the reports of Races that are not the known race.
func (d *Desktop) UnknownRaces() []Race {
	var out []Race
	for _, r := range d.Races() {
		if !IsKnownRace(r.Report) {
			out = append(out, r)
		}
	}
	return out
}

// checkRaces fails the test for every unknown race; called at teardown,
// once every process has stopped.
func (d *Desktop) checkRaces() {
	names := map[int]string{}
	for _, p := range d.Processes() {
		names[p.PID] = p.Name + " " + strings.Join(quoteArgs(p.Args[1:]), " ")
	}
	for _, r := range d.UnknownRaces() {
		who := names[r.PID]
		if who == "" {
			who = "a process of the session"
		}
		d.t.Errorf("e2e/desktop: data race in %s (pid %d):\n%s", who, r.PID, r.Report)
	}
}
