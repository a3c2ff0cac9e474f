// Package manpage writes plextray(1) from the command line's command tree
// (cli.ManPage) with cobra/doc. It is a package of its own so that
// cobra/doc, with the markdown (blackfriday, go-md2man) and YAML libraries
// it pulls in, is linked only into packaging/pkgtool, which makes the page
// at build time, and never into plextray, which would otherwise run their
// package initialisation at every start.
package manpage

import (
	"io"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/plextray/plextray/internal/cli"
)

// Write writes plextray(1) to w; version and date go into the page's
// header and footer.
func Write(w io.Writer, version string, date time.Time) error {
	return doc.GenMan(cli.ManPage(version), &doc.GenManHeader{
		Title:   "PLEXTRAY",
		Section: "1",
		Date:    &date,
		Source:  "plextray " + version,
		Manual:  "User Commands",
	}, w)
}
