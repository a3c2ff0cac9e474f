/*
 * A stand-in for Windows' bcryptprimitives.dll, for running plextray's
 * Windows build under Wine in the tests (e2e/wine). Test tooling only; it is
 * never shipped.
 *
 * Why it exists: the Go 1.26 runtime gets its random bytes from
 * bcryptprimitives.dll!ProcessPrng (Windows 10 and later), and Wine 8.0
 * (Debian 12's wine64) has no such DLL, so every Go 1.26 Windows program
 * dies at start with "fatal error: bcryptprimitives.dll not found". This
 * one exports ProcessPrng and fills the buffer from advapi32's RtlGenRandom
 * (SystemFunction036), which Wine has. The runtime loads it from System32
 * only, so the tests copy it into the Wine prefix's windows/system32.
 *
 * Build (the tests do this): x86_64-w64-mingw32-gcc -shared -O2
 *   -o bcryptprimitives.dll bcryptprimitives.c bcryptprimitives.def -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
