package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// A linked is one body of code built into the program: plextray itself,
// the Go standard library, or a Go module, with its license text.
type linked struct {
	Files     string // the Files field: which code it covers
	Comment   string
	Copyright string
	License   string // DEP-5 short name
	Text      string // the license text as the authors wrote it
}

// writeCopyright writes /usr/share/doc/plextray/copyright in the Debian
// machine-readable format (copyright-format 1.0): plextray's own license
// (the LICENSE file), then the Go standard library and every module
// linked into the program built from pkg for goos, each with its license
// text, which their licenses ask every binary copy to carry. A module
// whose license file is missing or not recognised fails the step, so a
// new dependency is looked at before it ships.
func writeCopyright(w io.Writer, licenseFile, pkg, goos, goarch string) error {
	own, err := os.ReadFile(licenseFile)
	if err != nil {
		return err
	}
	parts := []linked{{
		Files:     "*",
		Copyright: "plextray contributors",
		License:   "Expat",
		Text:      licenseBody(string(own)),
	}}
	deps, err := linkedModules(pkg, goos, goarch)
	if err != nil {
		return err
	}
	parts = append(parts, deps...)
	return renderCopyright(w, parts)
}

// goModule is what `go list -json` says of a package's module.
type goModule struct {
	Path, Version, Dir string
	Main               bool
	Replace            *goModule
}

// linkedModules lists the standard library and the modules whose packages
// go into pkg's binary for goos/goarch, sorted by module path.
func linkedModules(pkg, goos, goarch string) ([]linked, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=Standard,Module", pkg)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", pkg, err, stderr.Bytes())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	seen := map[string]bool{}
	var mods []goModule
	std := false
	for dec.More() {
		var p struct {
			Standard bool
			Module   *goModule
		}
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("go list %s: %w", pkg, err)
		}
		switch {
		case p.Standard:
			std = true
		case p.Module != nil && !p.Module.Main && !seen[p.Module.Path]:
			seen[p.Module.Path] = true
			mods = append(mods, *p.Module)
		}
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	var parts []linked
	if std {
		goroot, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			return nil, fmt.Errorf("go env GOROOT: %w", err)
		}
		text, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "LICENSE"))
		if err != nil {
			return nil, fmt.Errorf("the Go standard library's license: %w", err)
		}
		part, err := describe("vendor/go/std/*", "the Go standard library, built into the program", string(text))
		if err != nil {
			return nil, fmt.Errorf("the Go standard library: %w", err)
		}
		parts = append(parts, part)
	}
	for _, m := range mods {
		dir, version := m.Dir, m.Version
		if m.Replace != nil {
			dir = m.Replace.Dir
			if m.Replace.Version != "" {
				version = m.Replace.Version
			} else {
				version += " (patched copy in this repository)"
			}
		}
		text, err := moduleLicense(dir)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Path, err)
		}
		part, err := describe("vendor/"+m.Path+"/*", "Go module "+m.Path+" "+version+", built into the program", text)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Path, err)
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// moduleLicense reads a module's license file.
func moduleLicense(dir string) (string, error) {
	for _, name := range []string{"LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "COPYING", "License"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("no license file in %s", dir)
}

// copyrightLine matches a notice such as "Copyright (c) 2015 Jane Doe" or
// "Copyright 2009 The Go Authors." (not the license's own words about
// "copyright owners").
var copyrightLine = regexp.MustCompile(`(?im)^[ \t]*copyright[ \t]+((?:\(c\)|©|[0-9]{4}).*\S)[ \t]*$`)

// describe makes a part from a license text: its short name (refusing one
// it does not know) and the copyright holders its text names.
func describe(files, comment, text string) (linked, error) {
	name, err := licenseName(text)
	if err != nil {
		return linked{}, err
	}
	var holders []string
	for _, m := range copyrightLine.FindAllStringSubmatch(text, -1) {
		h := strings.TrimPrefix(strings.TrimPrefix(m[1], "(c)"), "©")
		holders = append(holders, strings.TrimSpace(h))
	}
	if len(holders) == 0 {
		holders = []string{"the authors of " + strings.TrimSuffix(strings.TrimPrefix(files, "vendor/"), "/*")}
	}
	return linked{Files: files, Comment: comment, Copyright: strings.Join(holders, "\n"), License: name, Text: licenseBody(text)}, nil
}

// licenseName recognises the licenses Go modules commonly carry by words
// only that license has.
func licenseName(text string) (string, error) {
	t := strings.Join(strings.Fields(text), " ")
	has := func(s string) bool { return strings.Contains(t, s) }
	switch {
	case has("Permission is hereby granted, free of charge"):
		return "Expat", nil
	case has("Apache License") && has("Version 2.0"):
		return "Apache-2.0", nil
	case has("Mozilla Public License") && has("2.0"):
		return "MPL-2.0", nil
	case has("Redistribution and use in source and binary forms") && (has("Neither the name") || has("names of its contributors")):
		return "BSD-3-clause", nil
	case has("Redistribution and use in source and binary forms"):
		return "BSD-2-clause", nil
	case has("Permission to use, copy, modify, and/or distribute this software for any purpose"):
		return "ISC", nil
	}
	return "", fmt.Errorf("license not recognised (add it to licenseName in packaging/pkgtool/copyright.go)")
}

// licenseBody is a license text as written, without leading and trailing
// empty lines or trailing spaces.
func licenseBody(text string) string {
	var lines []string
	for line := range strings.Lines(strings.ReplaceAll(text, "\r\n", "\n")) {
		line = strings.TrimRight(line, " \t\n")
		if len(lines) == 0 && line == "" {
			continue
		}
		lines = append(lines, line)
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// renderCopyright writes the parts in copyright-format 1.0: a header
// paragraph, then one Files paragraph each, continuation lines indented by
// one space and empty lines written " .".
func renderCopyright(w io.Writer, parts []linked) error {
	var b strings.Builder
	b.WriteString("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
	b.WriteString("Upstream-Name: plextray\n")
	b.WriteString("Upstream-Contact: https://github.com/plextray/plextray/issues\n")
	b.WriteString("Source: https://github.com/plextray/plextray\n")
	b.WriteString("Comment: plextray is one Go program: it carries the Go standard library and\n")
	b.WriteString(" the Go modules listed below (as vendor/<module>/*), each under its own\n")
	b.WriteString(" license, whose text is reproduced with it.\n")
	for _, p := range parts {
		b.WriteString("\nFiles: " + p.Files + "\n")
		field(&b, "Copyright", p.Copyright)
		if p.Comment != "" {
			field(&b, "Comment", p.Comment)
		}
		field(&b, "License", p.License+"\n"+p.Text)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// field writes a field whose value may span lines.
func field(b *strings.Builder, name, value string) {
	first, rest, _ := strings.Cut(value, "\n")
	b.WriteString(name + ": " + first + "\n")
	if rest == "" {
		return
	}
	for line := range strings.Lines(rest) {
		line = strings.TrimRight(line, "\n")
		if strings.TrimSpace(line) == "" {
			b.WriteString(" .\n")
			continue
		}
		b.WriteString(" " + line + "\n")
	}
}
