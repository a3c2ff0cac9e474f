package prefault

import "unsafe"

// The assembly: a system call made directly (nothing else is initialised
// yet, not even package syscall), and the text segment's bounds as the
// linker placed them.
func rawSyscall(trap, a1, a2, a3 uintptr) (r uintptr)
func textBounds() (start, end uintptr)

const (
	pageSize         = 4096
	sysRead          = 0
	sysClose         = 3
	sysMadvise       = 28
	sysOpenat        = 257
	oRdonlyCloexec   = 0o2000000
	madvPopulateRead = 22 // MADV_POPULATE_READ, Linux 5.14
	maxErrno         = 4095
)

// errno is what the call did: 0 done, else the error number it failed
// with (EINVAL: a kernel without MADV_POPULATE_READ); -1 not tried (the
// tray, or /proc unreadable).
var errno = -1

func init() {
	if !commandLine() {
		return
	}
	start, end := textBounds()
	start &^= pageSize - 1
	errno = errnoOf(rawSyscall(sysMadvise, start, end-start, madvPopulateRead))
}

// errnoOf is a raw system call's error number: 0 for success, e for -e.
func errnoOf(r uintptr) int {
	if r > ^uintptr(maxErrno) { // -4095..-1
		return int(-r)
	}
	return 0
}

// cmdline is where commandLine reads the arguments: a package variable,
// not a local, so that init needs no stack growth.
var cmdline [256]byte

// commandLine reports whether the program has arguments after its name,
// from /proc/self/cmdline (os.Args is not set yet): "NAME\0ARG\0…".
func commandLine() bool {
	const path = "/proc/self/cmdline\x00"
	atFDCWD := -100
	fd := rawSyscall(sysOpenat, uintptr(atFDCWD), uintptr(unsafe.Pointer(unsafe.StringData(path))), oRdonlyCloexec)
	if errnoOf(fd) != 0 {
		return false
	}
	n := rawSyscall(sysRead, fd, uintptr(unsafe.Pointer(&cmdline[0])), uintptr(len(cmdline)))
	rawSyscall(sysClose, fd, 0, 0)
	if errnoOf(n) != 0 || n > uintptr(len(cmdline)) {
		return false
	}
	return hasArguments(cmdline[:n])
}

// hasArguments reports whether b, the start of /proc/self/cmdline,
// holds more than the program's name: a NUL with more after it.
func hasArguments(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == 0 {
			return true
		}
	}
	return false
}
