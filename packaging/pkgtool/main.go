// Command pkgtool is the Go half of scripts/package.sh: the steps of making
// plextray's packages that need more than a shell, all deterministic so the
// same commit and version give byte-identical files.
//
//	pkgtool man   -version V -epoch S -o plextray.1      # from the command tree
//	pkgtool icons -src assets/icon.png -name ID -o DIR      # DIR/hicolor/NxN/apps/ID.png
//	pkgtool completion -shell bash|zsh|fish|powershell -prog plextray -o FILE
//	pkgtool tar   -C DIR -prefix NAME -epoch S -o NAME.tar.gz
//	pkgtool zip   -C DIR -prefix NAME -epoch S -o NAME.zip
//	pkgtool copyright -license LICENSE -pkg ./cmd/tray -goos linux -goarch amd64 -o FILE
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/plextray/plextray/internal/cli"
	"github.com/plextray/plextray/internal/cli/manpage"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pkgtool man|icons|completion|tar|zip|copyright [flags]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "pkgtool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func run(cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	out := fs.String("o", "", "output file or directory")
	epoch := fs.Int64("epoch", 0, "timestamp of every file (SOURCE_DATE_EPOCH)")
	switch cmd {
	case "man":
		version := fs.String("version", "", "version shown in the page footer")
		fs.Parse(args)
		return writeFile(*out, func(f *os.File) error {
			return manpage.Write(f, *version, time.Unix(*epoch, 0).UTC())
		})
	case "icons":
		src := fs.String("src", "", "the square source PNG")
		name := fs.String("name", "", "icon name (the app id)")
		fs.Parse(args)
		return writeIcons(*src, *out, *name, launcherSizes)
	case "completion":
		shell := fs.String("shell", "", "bash, zsh, fish or powershell")
		prog := fs.String("prog", "plextray", "command name")
		fs.Parse(args)
		return writeFile(*out, func(f *os.File) error { return cli.WriteCompletion(f, *shell, *prog) })
	case "tar", "zip":
		dir := fs.String("C", "", "directory whose contents are archived")
		prefix := fs.String("prefix", "", "top directory inside the archive")
		fs.Parse(args)
		mtime := time.Unix(*epoch, 0).UTC()
		return writeFile(*out, func(f *os.File) error {
			if cmd == "tar" {
				return writeTarGz(f, *dir, *prefix, mtime)
			}
			return writeZip(f, *dir, *prefix, mtime)
		})
	case "copyright":
		license := fs.String("license", "LICENSE", "plextray's own license file")
		pkg := fs.String("pkg", "./cmd/tray", "the program's package")
		goos := fs.String("goos", "linux", "GOOS of the build the file describes")
		goarch := fs.String("goarch", "amd64", "GOARCH of the build the file describes")
		fs.Parse(args)
		return writeFile(*out, func(f *os.File) error { return writeCopyright(f, *license, *pkg, *goos, *goarch) })
	default:
		return fmt.Errorf("unknown step")
	}
}

// writeFile creates path and runs fill on it; on failure the file is
// removed so no half-written artefact is left in dist/.
func writeFile(path string, fill func(*os.File) error) error {
	if path == "" {
		return fmt.Errorf("-o is required")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
