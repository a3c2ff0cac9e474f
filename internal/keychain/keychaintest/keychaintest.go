// Package keychaintest has keychain stand-ins for tests.
package keychaintest

import (
	"context"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
)

// ErrNoSecretService is what go-keyring reports on a session bus with no
// Secret Service, wrapped as the keychain package wraps it.
var ErrNoSecretService = &keychain.UnavailableError{
	What: "reading",
	Err:  keychain.ErrNoSecretService,
}

// Missing is a keychain that is not there: every call fails.
type Missing struct{}

func (Missing) Get(context.Context) (plextv.Token, error) { return "", ErrNoSecretService }
func (Missing) Set(context.Context, plextv.Token) error   { return ErrNoSecretService }
func (Missing) Delete(context.Context) error              { return ErrNoSecretService }

// Entry is the missing keychain again: every entry is missing too.
func (m Missing) Entry(string) keychain.Store { return m }

// Names fails like every other call.
func (Missing) Names(context.Context) ([]string, error) { return nil, ErrNoSecretService }
