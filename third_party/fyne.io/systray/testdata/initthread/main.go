// Command initthread prints the threadcreate profile of a program that
// only links fyne.io/systray: TestInitLeavesTheMainThreadFree builds it
// without cgo (as plextray is shipped), where no thread but the ones this
// program needs exists unless the package's init made one.
package main

import (
	"os"
	"runtime/pprof"

	_ "fyne.io/systray"
)

func main() {
	if err := pprof.Lookup("threadcreate").WriteTo(os.Stdout, 1); err != nil {
		os.Exit(1)
	}
}
