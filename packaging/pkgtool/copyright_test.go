package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLicenseName(t *testing.T) {
	for file, want := range map[string]string{
		"../../LICENSE": "Expat",
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := licenseName(string(b)); got != want || err != nil {
			t.Errorf("%s: %q, %v; want %q", file, got, err, want)
		}
	}
	for text, want := range map[string]string{
		"Apache License\n Version 2.0, January 2004":                                                "Apache-2.0",
		"Redistribution and use in source and binary forms ... Neither the name of Google":          "BSD-3-clause",
		"Redistribution and use in source and binary forms,\nwith or without modification":          "BSD-2-clause",
		"Mozilla Public License Version 2.0":                                                        "MPL-2.0",
		"Permission to use, copy, modify, and/or distribute this software for any purpose with fee": "ISC",
	} {
		if got, err := licenseName(text); got != want || err != nil {
			t.Errorf("%q: %q, %v; want %q", text, got, err, want)
		}
	}
	if got, err := licenseName("All rights reserved. Do not copy."); err == nil {
		t.Errorf("an unknown license was named %q", got)
	}
}

func TestDescribeFindsTheHolders(t *testing.T) {
	p, err := describe("vendor/example.com/m/*", "c", "Copyright (c) 2013 Ato Araki. All rights reserved.\nCopyright © 2020 Bo\n\nRedistribution and use in source and binary forms\nthe copyright owner or contributors")
	if err != nil {
		t.Fatal(err)
	}
	if p.Copyright != "2013 Ato Araki. All rights reserved.\n2020 Bo" || p.License != "BSD-2-clause" {
		t.Fatalf("%+v", p)
	}
	p, _ = describe("vendor/example.com/m/*", "c", "Permission is hereby granted, free of charge")
	if p.Copyright != "the authors of example.com/m" {
		t.Fatalf("no notice: %q", p.Copyright)
	}
}

// TestCopyrightOfTheProgram builds the file for the real program: the
// machine-readable format, plextray's own license first, then the standard
// library and every module the program links, each with a license text.
func TestCopyrightOfTheProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs go list")
	}
	var b strings.Builder
	if err := writeCopyright(&b, filepath.Join("..", "..", "LICENSE"), "github.com/plextray/plextray/cmd/tray", "linux", "amd64"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	paras := strings.Split(out, "\n\n")
	if !strings.HasPrefix(paras[0], "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n") {
		t.Fatalf("header: %s", paras[0])
	}
	if !strings.HasPrefix(paras[1], "Files: *\nCopyright: plextray contributors\nLicense: Expat\n Permission is hereby granted") &&
		!strings.HasPrefix(paras[1], "Files: *\nCopyright: plextray contributors\nLicense: Expat\n MIT License\n") {
		t.Fatalf("own paragraph: %s", paras[1])
	}
	for _, want := range []string{"Files: vendor/go/std/*\n", "Files: vendor/fyne.io/systray/*\n", "Files: vendor/github.com/godbus/dbus/v5/*\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q", strings.TrimSpace(want))
		}
	}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" || strings.HasPrefix(line, " ") {
			if strings.TrimSpace(line) == "" && line != "" {
				t.Errorf("line %d: a blank continuation line must be \" .\"", i+1)
			}
			continue
		}
		if name, _, ok := strings.Cut(line, ": "); !ok || strings.ContainsAny(name, " \t") {
			t.Errorf("line %d is neither a field nor a continuation: %q", i+1, line)
		}
	}
}
