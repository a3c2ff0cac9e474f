//go:build !linux && !windows

package netwatch

// NativeSources: none on this OS; the address poll and the wake check
// still work.
func NativeSources() []Source { return []Source{} }
