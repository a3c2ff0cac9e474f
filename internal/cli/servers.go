package cli

import "fmt"

func servers(args []string, io IO) int {
	fmt.Fprintln(io.Stderr, "tray servers: not available yet")
	return ExitFailure
}
