"""The student-side checks, shipped: the kinds' stdlib-only modules, copied, never rewritten.

`grader generate` writes them into the release as the package `grader_rules/` (next to
test_public.py) and embeds the same sources in the notebook's first cell, so the checks a
student runs are the grader's own code, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from grader.kinds import shipped_modules

PACKAGE = "grader_rules"
KINDS_FOLDER = Path(__file__).resolve().parent
INIT = '"""The grader\'s own student-side checks, shipped by `grader generate`: do not edit."""\n'


def sources() -> list[tuple[str, str]]:
    """(dotted module name, source) of every shipped module, in an order that imports."""
    return [(f"{PACKAGE}." + path.removesuffix(".py").replace("/", "."),
             (KINDS_FOLDER / path).read_text(encoding="utf-8")) for path in shipped_modules()]


def ship(folder: Path) -> Path:
    """Write `folder/grader_rules/`: the modules as they are in grader/kinds/."""
    root = folder / PACKAGE
    for path in shipped_modules():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        for package in (root, *[p for p in target.parents if root in p.parents]):
            (package / "__init__.py").write_text(INIT, encoding="utf-8")
        target.write_text((KINDS_FOLDER / path).read_text(encoding="utf-8"), encoding="utf-8")
    return root


def notebook_cell() -> str:
    """A cell that defines the same modules in the kernel, from their embedded sources."""
    lines = ["# The grader's own checks (the files of grader_rules/ next to this notebook, "
             "embedded):",
             "# run this cell first and leave it as it is; it is read-only.",
             "import sys as _sys",
             "import types as _types",
             "",
             "",
             "def _define(name, source):",
             "    module = _types.ModuleType(name)",
             "    module.__package__ = name if source is None else name.rpartition('.')[0]",
             "    if source is None:  # a package: its modules are defined below",
             "        module.__path__ = []",
             "    _sys.modules[name] = module",
             "    if source is not None:",
             "        exec(compile(source, name.replace('.', '/') + '.py', 'exec'), "
             "module.__dict__)",
             "    return module",
             "",
             ""]
    packages: list[str] = []
    for name, _ in sources():
        parts = name.split(".")[:-1]
        packages += [".".join(parts[:i]) for i in range(1, len(parts) + 1)
                     if ".".join(parts[:i]) not in packages]
    lines += [f"_define({package!r}, None)" for package in packages]
    lines += [f"_define({name!r}, {source!r})" for name, source in sources()]
    lines.append("")
    lines += [f"from {PACKAGE}.{kind} import student as _{kind}"
              for kind in sorted({name.split(".")[1] for name, _ in sources()
                                  if name.endswith(".student")})]
    return "\n".join(lines) + "\n"
