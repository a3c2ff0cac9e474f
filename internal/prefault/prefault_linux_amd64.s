#include "textflag.h"

// func rawSyscall(trap, a1, a2, a3 uintptr) (r uintptr)
// r is the kernel's result: a value, or minus an error number.
TEXT ·rawSyscall(SB),NOSPLIT,$0-40
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	MOVQ	$0, R10
	MOVQ	$0, R8
	MOVQ	$0, R9
	MOVQ	trap+0(FP), AX
	SYSCALL
	MOVQ	AX, r+32(FP)
	RET

// func textBounds() (start, end uintptr)
TEXT ·textBounds(SB),NOSPLIT,$0-16
	MOVQ	$runtime·text(SB), AX
	MOVQ	AX, start+0(FP)
	MOVQ	$runtime·etext(SB), AX
	MOVQ	AX, end+8(FP)
	RET
