//go:build !linux && !windows && !darwin

package netwatch

import "log/slog"

// NativeSources: none on this OS; the periodic timer still re-checks,
// and tells a wake-up by the wall clock's jump.
func NativeSources(*slog.Logger) []Source { return []Source{} }
