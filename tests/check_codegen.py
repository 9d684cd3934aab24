#!/usr/bin/env python3
"""Verifies how GCC compiled the CPU engine's hot loops, from the disassembly of the core library.

The row kernel (AccumulateRows in core/engine_cpu_conv.cpp) is written with explicit vectors so
that its accumulators stay in registers by construction, but whether they do is up to the
compiler: earlier builds kept them on the stack (dense 31x31 at stride 2 took twice as long) and
vectorised nothing under `omp simd`. This test reads each instruction set's build of the kernel
and of the phase split (Deinterleave) and checks:

- the tap loop of every row kernel (R rows of N vectors) holds exactly R*N fused multiply-adds
  (multiplies and adds for SSE2) on the instruction set's full vector width: AVX-512 zmm,
  AVX2 ymm, SSE2 xmm;
- that loop touches no stack slot, so no accumulator or weight is spilled, and the function
  moves hardly any vector to or from the stack, so the accumulators are not kept in memory
  between blocks either;
- with several rows, each source vector is loaded once and feeds every row's FMA;
- the streaming builds store with non-temporal moves;
- the phase split's loop runs on full-width vectors;
- the SSE2 builds use no AVX instruction, so the binary still runs on any x86-64.

The AVX-512 builds are checked too, on machines that cannot run them.

usage: check_codegen.py LIBRARY [OBJDUMP]   (libstridescope_core.a of an optimised build)
"""
import re
import subprocess
import sys

# Vectors per row in the kernel's block loop: the rule in AccumulateRows. With 16 vector registers
# (AVX2, SSE2) a pair of rows keeps 6 each; otherwise as many as fit in half the registers, at
# most 8.
def vectors_per_row(registers, rows):
    if registers == 16 and rows == 2:
        return 6
    return min(8, registers // 2 // rows)

ISAS = {
    # name: (function suffix, register file, vector registers)
    "AVX-512": ("V4", "zmm", 32),
    "AVX2": ("V3", "ymm", 16),
    "SSE2": ("Base", "xmm", 16),
}

FUNCTION = re.compile(r"^[0-9a-f]+ <(.*)>:$")
INSTRUCTION = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
JUMP_TARGET = re.compile(r"^([0-9a-f]+) <")
VECTOR = re.compile(r"%[xyz]mm")
# Moves and shuffles of more than one float; with a memory operand, a vector load or store
# (scalar code moves single floats with movss, and copies registers with movaps).
PACKED = re.compile(r"v?(movu|mova|movl|movh|shuf|unpck[lh]|blend)ps|v?perm|v?pshufd|v?movdq|v?movq|vinsert|vextract")


def disassemble(library, objdump):
    try:
        text = subprocess.run([objdump, "-d", "--no-show-raw-insn", "-C", library], check=True,
                              capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit("check_codegen: objdump not found; it comes with binutils (scripts/debian-packages.txt)")
    functions, current = {}, None
    for line in text.splitlines():
        match = FUNCTION.match(line)
        if match:
            current = functions.setdefault(match.group(1), [])
            continue
        match = INSTRUCTION.match(line)
        if match and current is not None:
            current.append((int(match.group(1), 16), match.group(2), match.group(3)))
    return functions


def find(functions, prefix):
    """The instructions of the one function whose demangled name starts with prefix. GCC's clones
    of it ([clone .cold] for the parts it moves out of line, and the like) are left out."""
    names = [name for name in functions if name.startswith(prefix) and "[clone " not in name]
    if len(names) != 1:
        raise LookupError(f"expected one function named {prefix}..., found {len(names)}")
    return functions[names[0]]


def innermost_loops(instructions):
    """The bodies of the loops that contain no other loop: a backward jump and what it jumps over."""
    spans = set()
    for address, mnemonic, operands in instructions:
        target = JUMP_TARGET.match(operands)
        if mnemonic.startswith("j") and target and int(target.group(1), 16) <= address:
            spans.add((int(target.group(1), 16), address))
    innermost = [(a, b) for a, b in spans
                 if not any((c, d) != (a, b) and a <= c and d <= b for c, d in spans)]
    return [[i for i in instructions if a <= i[0] <= b] for a, b in innermost]


def hottest_loop(instructions, is_work):
    """The innermost loop with the most instructions that is_work accepts."""
    return max(innermost_loops(instructions), key=lambda body: sum(map(is_work, body)), default=[])


def uses(instruction, register):
    return f"%{register}" in instruction[2]


def frame_pointer(instructions):
    """Whether the function keeps a frame pointer in rbp (otherwise rbp is an ordinary register)."""
    return any(i[1] == "mov" and i[2] == "%rsp,%rbp" for i in instructions)


def touches_stack(instruction, frame):
    return "(%rsp" in instruction[2] or (frame and "(%rbp" in instruction[2])


def check_row_kernels(functions, failures):
    checked = 0
    for isa, (suffix, register, registers) in ISAS.items():
        for rows in (1, 2, 4):
            for stream in ("false", "true"):
                name = f"void stridescope::cpu::(anonymous namespace)::Accumulate{suffix}<{rows}, {stream}>"
                label = f"{isa} row kernel, {rows} row(s), {'streaming' if stream == 'true' else 'plain'}"
                try:
                    body = find(functions, name)
                except LookupError as error:
                    failures.append(f"{label}: {error}")
                    continue
                want = rows * vectors_per_row(registers, rows)
                if suffix == "Base":
                    is_work = lambda i: i[1] == "mulps"
                    loop = hottest_loop(body, is_work)
                    counts = {"mulps": sum(i[1] == "mulps" for i in loop), "addps": sum(i[1] == "addps" for i in loop)}
                    if counts != {"mulps": want, "addps": want}:
                        failures.append(f"{label}: tap loop has {counts}, want {want} of each")
                    avx = [i for i in body if i[1].startswith("v")]
                    if avx:
                        failures.append(f"{label}: uses AVX ({avx[0][1]}), so it would fault on a plain x86-64")
                else:
                    is_work = lambda i: i[1].startswith("vfmadd") and i[1].endswith("ps") and uses(i, register)
                    loop = hottest_loop(body, is_work)
                    fmas = sum(map(is_work, loop))
                    narrow = [i for i in loop if i[1].startswith("vfmadd") and not uses(i, register)]
                    if fmas != want or narrow:
                        failures.append(f"{label}: tap loop has {fmas} {register} FMAs and {len(narrow)} narrower, "
                                        f"want {want} and 0")
                    # Several rows: each source vector is loaded once into a register and feeds
                    # all R rows, not folded into every FMA as a memory operand (a load per FMA
                    # left the load ports, not the FMA units, the limit).
                    folded = [i for i in loop if is_work(i) and "(" in i[2]]
                    if rows > 1 and folded:
                        failures.append(f"{label}: {len(folded)} FMAs load their source themselves "
                                        f"({folded[0][1]} {folded[0][2]})")
                frame = frame_pointer(body)
                spills = [i for i in loop if touches_stack(i, frame)]
                if spills:
                    failures.append(f"{label}: tap loop touches the stack ({spills[0][1]} {spills[0][2]}): "
                                    "accumulators or weights spilled")
                # Around the tap loop too: without full unrolling GCC kept the accumulator array
                # on the stack, filling and storing it through memory for every block (33-51
                # vector moves to the stack, against at most 3 saved scalars).
                vector_moves = [i for i in body if touches_stack(i, frame) and VECTOR.search(i[2])]
                if len(vector_moves) > 4:
                    failures.append(f"{label}: {len(vector_moves)} vector moves to or from the stack: "
                                    "the accumulators live in memory")
                stores = [i for i in body if i[1] in ("movntps", "vmovntps")]
                if (stream == "true") != bool(stores):
                    failures.append(f"{label}: {len(stores)} non-temporal stores")
                checked += 1
    return checked


def check_phase_split(functions, failures):
    checked = 0
    for isa, (suffix, register, _) in ISAS.items():
        for stride in (2, 3, 4):
            label = f"{isa} phase split, stride {stride}"
            try:
                body = find(functions, f"void stridescope::cpu::(anonymous namespace)::Deinterleave{suffix}<{stride}>")
            except LookupError as error:
                failures.append(f"{label}: {error}")
                continue
            # Scalar code also uses xmm registers: the loop must load or store packed floats.
            packed = lambda i: uses(i, register) and "(" in i[2] and PACKED.match(i[1]) is not None
            loop = hottest_loop(body, packed)
            if not any(map(packed, loop)):
                failures.append(f"{label}: no loop loading or storing packed {register} vectors (a scalar gather)")
            if suffix == "Base" and any(i[1].startswith("v") for i in body):
                failures.append(f"{label}: uses AVX, so it would fault on a plain x86-64")
            checked += 1
    return checked


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    functions = disassemble(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "objdump")
    failures = []
    kernels = check_row_kernels(functions, failures)
    splits = check_phase_split(functions, failures)
    for failure in failures:
        print("FAIL", failure)
    print(f"check_codegen: {kernels} row kernels and {splits} phase splits checked, {len(failures)} failures")
    sys.exit(1 if failures or kernels + splits == 0 else 0)


if __name__ == "__main__":
    main()
