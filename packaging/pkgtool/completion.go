package main

import (
	"io"

	"github.com/plextray/plextray/internal/completion"
)

func writeCompletion(w io.Writer, shell, prog string) error {
	return completion.Write(w, shell, prog)
}
