package completion

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Usage is the help of the completion command; PROG stands for the
// program's name.
const Usage = `Usage: PROG completion bash|zsh|fish

Print a shell completion script. To use it now:
  bash:  source <(PROG completion bash)
  zsh:   source <(PROG completion zsh)
  fish:  PROG completion fish | source
The packages install these scripts where the shells find them.
`

// Run is the command `PROG completion SHELL` (args without "completion"):
// the script on stdout and exit code 0; the usage on stdout for --help
// (0); a message and the usage on stderr for a missing or unknown shell
// (2, the command line's usage code); 1 if stdout cannot be written.
func Run(args []string, stdout, stderr io.Writer, prog string) int {
	usage := strings.ReplaceAll(Usage, "PROG", prog)
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(args) != 1 {
		fmt.Fprintf(stderr, "%s completion: name one shell\n\n%s", prog, usage)
		return 2
	}
	err := Write(stdout, args[0], prog)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrUnknownShell):
		fmt.Fprintf(stderr, "%s completion: no completion for %q (bash, zsh or fish)\n", prog, args[0])
		return 2
	default:
		fmt.Fprintf(stderr, "%s completion: %v\n", prog, err)
		return 1
	}
}
