//go:build !unix

package home_test

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs here") }
