// Command bare is the floor for process benchmarks: a Go program that
// prints one line and exits, as plextray uri does at its quickest.
package main

import "os"

func main() { os.Stdout.WriteString("https://127.0.0.1:32400\n") }
