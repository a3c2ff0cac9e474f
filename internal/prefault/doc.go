// Package prefault makes a command-line run of plextray start faster on
// Linux, by mapping the program's machine code into the process in one
// system call before the other packages initialise, instead of one page
// fault at a time as the code first runs.
//
// A short command (`plextray uri` answered from the tray's check takes
// about as long as starting the program) spends much of its life in page
// faults on its own code: the Go runtime and about a hundred packages
// initialise before main, and their code is spread over the 5.5 MB text
// segment. On a virtual machine where each fault costs tens of
// microseconds, asking the kernel once (madvise MADV_POPULATE_READ over
// the text segment, pages the page cache already holds) took 1–2 ms,
// about a tenth, off every command; see docs/benchmarks.md.
//
// Only command-line runs do it (arguments after the program's name): the
// tray, which runs with none and lives for hours, lets its code fault in
// as it runs, so that only the pages it uses count in its memory.
//
// The package imports nothing but unsafe, so Go initialises it among the first,
// before the packages whose start-up it speeds up. It works on
// linux/amd64 (a few lines of assembly make the system call and read the
// linker's text bounds) and does nothing elsewhere; a kernel older than
// 5.14 refuses the call, and then nothing changes either.
package prefault
