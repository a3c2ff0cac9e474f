//go:build darwin || windows

package keychain

import (
	"context"
	"errors"

	"github.com/zalando/go-keyring"
)

// On macOS and Windows go-keyring talks to the system keychain directly;
// it takes no context, so call abandons it at the deadline.

func (k OS) get(context.Context) (string, error) {
	s, err := keyring.Get(Service, k.account())
	return s, mapKeyring(err)
}

func (k OS) set(_ context.Context, secret string) error {
	return mapKeyring(keyring.Set(Service, k.account(), secret))
}

func (k OS) delete(context.Context) error {
	return mapKeyring(keyring.Delete(Service, k.account()))
}

func mapKeyring(err error) error {
	if errors.Is(err, keyring.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// names: go-keyring has no search.
func (k OS) names(context.Context) ([]string, error) { return nil, ErrCannotList }

// Watch: go-keyring has no change signals; the channel never fires.
func (k OS) Watch(context.Context) (<-chan struct{}, error) { return nil, nil }
