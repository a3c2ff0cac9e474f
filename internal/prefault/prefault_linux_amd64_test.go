package prefault

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// helperEnv makes the test binary print errno and exit (TestMain): what
// init did, for the arguments it was started with.
const helperEnv = "PREFAULT_TEST_REPORT"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		fmt.Println(errno)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const einval = 22

// initErrno runs this test binary with args and returns what its init did
// (errno).
func initErrno(t *testing.T, args ...string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v (%s)", cmd.Args, err, out)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("%v printed %q", cmd.Args, out)
	}
	return n
}

// A command line (any argument after the name, even an empty one) maps
// its code at init; the tray (no arguments) does not try.
func TestOnlyTheCommandLine(t *testing.T) {
	for _, args := range [][]string{{"-test.run=^$"}, {""}} {
		if got := initErrno(t, args...); got != 0 && got != einval {
			t.Errorf("started with %q: errno %d, want 0 (mapped; EINVAL on a kernel before 5.14)", args, got)
		}
	}
	if got := initErrno(t); got != -1 {
		t.Errorf("started with no arguments (the tray): errno %d, want -1 (not tried)", got)
	}
}

func TestTextBoundsHoldTheCode(t *testing.T) {
	start, end := textBounds()
	pc := reflect.ValueOf(TestTextBoundsHoldTheCode).Pointer()
	if !(start < pc && pc < end) {
		t.Fatalf("this function at %#x is not within the text bounds [%#x, %#x)", pc, start, end)
	}
	if end-start < 1<<20 {
		t.Fatalf("text bounds [%#x, %#x): %d bytes, less than any Go test binary's code", start, end, end-start)
	}
}

// The bounds are one mapping of the program file the kernel populates
// whole: the call succeeds, and every page is then present.
func TestPopulatesTheWholeText(t *testing.T) {
	start, end := textBounds()
	start &^= pageSize - 1
	switch e := errnoOf(rawSyscall(sysMadvise, start, end-start, madvPopulateRead)); e {
	case 0:
	case einval:
		t.Skip("this kernel has no MADV_POPULATE_READ (Linux 5.14)")
	default:
		t.Fatalf("madvise(%#x, %d, MADV_POPULATE_READ): errno %d", start, end-start, e)
	}
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pages := int((end - start + pageSize - 1) / pageSize)
	buf := make([]byte, 8*pages)
	if _, err := f.ReadAt(buf, int64(start/pageSize)*8); err != nil {
		t.Fatalf("reading pagemap: %v", err)
	}
	for i := range pages {
		if binary.LittleEndian.Uint64(buf[8*i:])&(1<<63) == 0 {
			t.Fatalf("page %#x of the text is not present after MADV_POPULATE_READ", start+uintptr(i)*pageSize)
		}
	}
}

func TestHasArguments(t *testing.T) {
	for _, c := range []struct {
		cmdline string
		want    bool
	}{
		{"plextray\x00", false},
		{"/usr/bin/plextray\x00", false},
		{"plextray\x00uri\x00", true},
		{"plextray\x00uri\x00Study\x00", true},
		{"plextray\x00\x00", true}, // an empty argument
		{"", false},
		{"a-name-longer-than-what-was-read", false},
	} {
		if got := hasArguments([]byte(c.cmdline)); got != c.want {
			t.Errorf("hasArguments(%q) = %v, want %v", c.cmdline, got, c.want)
		}
	}
}
