"""JSBSim <function> trees compiled to one postfix program, run by one compiled kernel.

A ``Program`` is flat arrays: per instruction an opcode (int64), an integer argument
(int64: a slot, an argument count or a table) and a float argument (float64: a constant or
a property's sign), plus the tables (tables.TableSet). ``evaluate(program, props)`` runs
every function in order and stores each one's value in its slot of ``props``, so a
function reading an earlier one (``aero/function/...``) reads its value; the stack lives
in the last ``program.stack_size`` slots of ``props`` (nothing allocated per call).

The operations are FGFunction's (``GetBinary``: |x| < 1e-9 is false, else true): see
``OPERATIONS`` for the list. The compiler (``FunctionCompiler``) is in this module too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.jsbsim.errors import error_at
from longwing.jsbsim.tables import TableBuilder, TableSet, lookup
from longwing.jsbsim.xml_tree import LineElement, data_line, number

# opcodes
PUSH_CONST = 0
PUSH_PROP = 1  # iarg slot, farg sign
STORE = 2  # pop -> props[iarg]
TABLE = 3  # iarg table, pops its keys
SUM, PRODUCT, DIFFERENCE, MIN, MAX, AVG, AND, OR = 10, 11, 12, 13, 14, 15, 16, 17  # iarg n
QUOTIENT, POW, ATAN2, FMOD, LT, LE, GT, GE, EQ, NQ = 20, 21, 22, 23, 24, 25, 26, 27, 28, 29
IFTHEN = 30
ABS, SQRT, SIN, COS, TAN, ASIN, ACOS, ATAN = 40, 41, 42, 43, 44, 45, 46, 47
EXP, LN, LOG10, LOG2, TODEG, TORAD, SIGN, FLOOR, CEIL, NOT = 48, 49, 50, 51, 52, 53, 54, 55, 56, 57

HUGE_VAL = math.inf
INV_LOG2 = 1.0 / math.log10(2.0)  # FGFunction's invlog2val

# element -> (opcode, minimum arguments, maximum arguments (0: any))
OPERATIONS = MappingProxyType(
    {
        "sum": (SUM, 1, 0),
        "product": (PRODUCT, 1, 0),
        "difference": (DIFFERENCE, 1, 0),
        "min": (MIN, 1, 0),
        "max": (MAX, 1, 0),
        "avg": (AVG, 1, 0),
        "and": (AND, 1, 0),
        "or": (OR, 1, 0),
        "quotient": (QUOTIENT, 2, 2),
        "pow": (POW, 2, 2),
        "atan2": (ATAN2, 2, 2),
        "fmod": (FMOD, 2, 2),
        "lt": (LT, 2, 2),
        "le": (LE, 2, 2),
        "gt": (GT, 2, 2),
        "ge": (GE, 2, 2),
        "eq": (EQ, 2, 2),
        "nq": (NQ, 2, 2),
        "ifthen": (IFTHEN, 3, 3),
        "abs": (ABS, 1, 1),
        "sqrt": (SQRT, 1, 1),
        "sin": (SIN, 1, 1),
        "cos": (COS, 1, 1),
        "tan": (TAN, 1, 1),
        "asin": (ASIN, 1, 1),
        "acos": (ACOS, 1, 1),
        "atan": (ATAN, 1, 1),
        "exp": (EXP, 1, 1),
        "ln": (LN, 1, 1),
        "log10": (LOG10, 1, 1),
        "log2": (LOG2, 1, 1),
        "todegrees": (TODEG, 1, 1),
        "toradians": (TORAD, 1, 1),
        "sign": (SIGN, 1, 1),
        "floor": (FLOOR, 1, 1),
        "ceil": (CEIL, 1, 1),
        "not": (NOT, 1, 1),
    }
)
DATA_ELEMENTS = ("property", "p", "value", "v", "pi", "table", "t")
IGNORED_ELEMENTS = ("description", "documentation")


class Program(NamedTuple):
    op: np.ndarray  # int64
    iarg: np.ndarray  # int64
    farg: np.ndarray  # float64
    tables: TableSet
    stack_base: int  # the first scratch slot of props
    stack_size: int


@njit(cache=True)
def _truth(x: float) -> bool:
    return abs(x) >= 1e-9


@njit(cache=True)
def _unary(op: int, x: float) -> float:
    if op == ABS:
        return abs(x)
    if op == SQRT:
        return math.sqrt(x) if x >= 0.0 else -HUGE_VAL
    if op == SIN:
        return math.sin(x)
    if op == COS:
        return math.cos(x)
    if op == TAN:
        return math.tan(x)
    if op == ASIN:
        return math.asin(x) if -1.0 <= x <= 1.0 else math.nan
    if op == ACOS:
        return math.acos(x) if -1.0 <= x <= 1.0 else math.nan
    if op == ATAN:
        return math.atan(x)
    if op == EXP:
        return math.exp(x)
    if op == LN:
        return math.log(x) if x > 0.0 else -HUGE_VAL
    if op == LOG10:
        return math.log10(x) if x > 0.0 else -HUGE_VAL
    if op == LOG2:
        return math.log10(x) * INV_LOG2 if x > 0.0 else -HUGE_VAL
    if op == TODEG:
        return x * 180.0 / math.pi
    if op == TORAD:
        return x * math.pi / 180.0
    if op == SIGN:
        return -1.0 if x < 0.0 else 1.0
    if op == FLOOR:
        return math.floor(x)
    if op == CEIL:
        return math.ceil(x)
    return 0.0 if _truth(x) else 1.0  # NOT


@njit(cache=True)
def _binary(op: int, a: float, b: float) -> float:
    if op == QUOTIENT:
        return a / b if b != 0.0 else HUGE_VAL
    if op == POW:
        return a**b
    if op == ATAN2:
        return math.atan2(a, b)
    if op == FMOD:
        return np.fmod(a, b) if b != 0.0 else HUGE_VAL
    if op == LT:
        return 1.0 if a < b else 0.0
    if op == LE:
        return 1.0 if a <= b else 0.0
    if op == GT:
        return 1.0 if a > b else 0.0
    if op == GE:
        return 1.0 if a >= b else 0.0
    if op == EQ:
        return 1.0 if a == b else 0.0
    return 1.0 if a != b else 0.0  # NQ


@njit(cache=True)
def _nary(op: int, s: np.ndarray, lo: int, hi: int) -> float:
    """The n-ary operation on s[lo:hi], in FGFunction's order."""
    if op == SUM or op == AVG:
        t = 0.0
        for k in range(lo, hi):
            t += s[k]
        return t / (hi - lo) if op == AVG else t
    if op == PRODUCT:
        t = 1.0
        for k in range(lo, hi):
            t *= s[k]
        return t
    if op == DIFFERENCE:
        t = s[lo]
        for k in range(lo + 1, hi):
            t -= s[k]
        return t
    if op == MIN:
        t = HUGE_VAL
        for k in range(lo, hi):
            if s[k] < t:
                t = s[k]
        return t
    if op == MAX:
        t = -HUGE_VAL
        for k in range(lo, hi):
            if s[k] > t:
                t = s[k]
        return t
    if op == AND:
        for k in range(lo, hi):
            if not _truth(s[k]):
                return 0.0
        return 1.0
    for k in range(lo, hi):  # OR
        if _truth(s[k]):
            return 1.0
    return 0.0


@njit(cache=True)
def evaluate(program: Program, props: np.ndarray) -> None:
    """Run the program: every function's value into its slot of props."""
    op = program.op
    iarg = program.iarg
    farg = program.farg
    sp = program.stack_base  # next free stack slot
    for i in range(op.shape[0]):
        o = op[i]
        if o == PUSH_CONST:
            props[sp] = farg[i]
            sp += 1
        elif o == PUSH_PROP:
            props[sp] = props[iarg[i]] * farg[i]
            sp += 1
        elif o == STORE:
            sp -= 1
            props[iarg[i]] = props[sp]
        elif o == TABLE:
            t = iarg[i]
            dims = program.tables.kind[t]
            sp -= dims
            k1 = props[sp + 1] if dims > 1 else 0.0
            k2 = props[sp + 2] if dims > 2 else 0.0
            props[sp] = lookup(program.tables, t, props[sp], k1, k2)
            sp += 1
        elif o < QUOTIENT:  # n-ary
            n = iarg[i]
            sp -= n
            props[sp] = _nary(o, props, sp, sp + n)
            sp += 1
        elif o < IFTHEN:  # binary
            sp -= 1
            props[sp - 1] = _binary(o, props[sp - 1], props[sp])
        elif o == IFTHEN:
            sp -= 2
            props[sp - 1] = props[sp] if _truth(props[sp - 1]) else props[sp + 1]
        else:
            props[sp - 1] = _unary(o, props[sp - 1])


class FunctionCompiler:
    """Compiles function elements into one program.

    ``resolve(name, element)`` gives the slot of a property (it raises for unsupported
    ones); ``compile_function`` appends one function, ending in a STORE to its slot.
    """

    def __init__(self, resolve: Callable[[str, LineElement], int]) -> None:
        self._resolve = resolve
        self.op: list[int] = []
        self.iarg: list[int] = []
        self.farg: list[float] = []
        self.tables = TableBuilder()
        self._depth = 0
        self.max_depth = 0

    def _emit(self, op: int, iarg: int = 0, farg: float = 0.0, depth_change: int = 0) -> None:
        self.op.append(op)
        self.iarg.append(iarg)
        self.farg.append(farg)
        self._depth += depth_change
        self.max_depth = max(self.max_depth, self._depth)

    def _property(self, text: str, el: LineElement) -> None:
        sign = 1.0
        if text.startswith("-"):
            sign, text = -1.0, text[1:]
        if not text:
            raise error_at(el, f"<{el.tag}> names no property")
        if "#" in text:
            raise error_at(el, f"property '{text}': the '#' placeholder is not supported")
        if el.get("apply"):
            raise error_at(el, f"property '{text}': apply= (template functions) not supported")
        self._emit(PUSH_PROP, self._resolve(text, el), sign, 1)

    def _table(self, el: LineElement) -> None:
        keys = {}
        for var in el.findall("independentVar"):
            lookup_axis = var.get("lookup", "row")
            axis = {"row": 0, "axis1": 0, "column": 1, "axis2": 1, "table": 2, "axis3": 2}.get(
                lookup_axis
            )
            if axis is None:
                raise error_at(var, f"independentVar lookup '{lookup_axis}' is not supported")
            if axis in keys:
                raise error_at(var, f"duplicate independentVar lookup '{lookup_axis}'")
            keys[axis] = var
        index, dims = self.tables.add(el)
        if sorted(keys) != list(range(dims)):
            raise error_at(el, f"a {dims}-D table needs {dims} independentVar lookups")
        for axis in range(dims):
            self._property(data_line(keys[axis]), keys[axis])
        self._emit(TABLE, index, 0.0, 1 - dims)

    def _node(self, el: LineElement) -> None:
        tag = el.tag
        if tag in ("property", "p"):
            self._property(data_line(el), el)
        elif tag in ("value", "v"):
            self._emit(PUSH_CONST, 0, number(el), 1)
        elif tag == "pi":
            self._emit(PUSH_CONST, 0, math.pi, 1)
        elif tag in ("table", "t"):
            self._table(el)
        elif tag in OPERATIONS:
            opcode, lo, hi = OPERATIONS[tag]
            args = [c for c in el if c.tag not in IGNORED_ELEMENTS]
            if len(args) < lo or (hi and len(args) > hi):
                want = str(lo) if lo == hi else (f"{lo} or more" if not hi else f"{lo}..{hi}")
                raise error_at(el, f"<{tag}> takes {want} arguments, has {len(args)}")
            for a in args:
                self._node(a)
            self._emit(opcode, len(args), 0.0, 1 - len(args))
        else:
            raise error_at(el, f"element <{tag}> is not supported in a function")

    def compile_function(self, fn: LineElement, slot: int) -> None:
        """Append one <function>: its value is stored in props[slot]."""
        body = [c for c in fn if c.tag not in IGNORED_ELEMENTS]
        if len(body) != 1:
            raise error_at(fn, f"<function> must hold one operation, holds {len(body)}")
        self._node(body[0])
        self._emit(STORE, slot, 0.0, -1)

    def build(self, stack_base: int) -> Program:
        return Program(
            op=np.array(self.op, dtype=np.int64),
            iarg=np.array(self.iarg, dtype=np.int64),
            farg=np.array(self.farg, dtype=np.float64),
            tables=self.tables.build(),
            stack_base=stack_base,
            stack_size=max(self.max_depth, 1),
        )
