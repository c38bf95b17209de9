"""Command-line interface: ``identifiability <command> ...`` or ``python -m identifiability``.

Every command takes ``--json`` for machine-readable output.  Exit codes: 0 on
success, 2 on invalid input (bad file, unknown example, invalid MDP) with a
one-line message naming what was wrong.

An MDP argument is either the path of a JSON file in the
``identifiability.mdp/1`` format or ``example:NAME`` for a registered example
(``identifiability examples`` lists them).
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__

__all__ = ["main", "build_parser"]


def _load_mdp(spec):
    from . import examples
    from .io import load

    if spec.startswith("example:"):
        return examples.get(spec[len("example:"):])
    return load(spec)


def _print_kv(rows, out):
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}", file=out)


def _short_list(items, limit=8):
    items = list(items)
    if len(items) <= limit:
        return ", ".join(str(i) for i in items) if items else "-"
    return ", ".join(str(i) for i in items[:limit]) + f", ... ({len(items)} in all)"


def _cmd_info(args, out):
    mdp = _load_mdp(args.mdp)
    info = mdp.summary()
    info["source"] = args.mdp
    if args.json:
        json.dump(info, out, indent=1)
        print(file=out)
        return 0
    H = "infinite" if info["horizon"] is None else info["horizon"]
    kind = "exact (rational)" if info["exact"] else "float"
    rows = [
        ("MDP", args.mdp),
        ("states", info["n_states"]),
        ("actions", f"{info['n_actions']} ({_short_list(info['action_labels'])})"),
        ("transitions", f"{info['n_transitions']} positive entries, at most "
                        f"{info['max_successors']} successor(s) per (s, a)"),
        ("dynamics", "deterministic" if info["deterministic"] else "stochastic"),
        ("arithmetic", kind),
        ("gamma", info["gamma"]),
        ("horizon", H),
        ("start states", _short_list(mdp.state_labels[s] for s in info["start_states"])),
        ("reachable", f"{info['reachable_states']} of {info['n_states']} states"),
        ("terminal", _short_list(mdp.state_labels[s] for s in info["terminal_states"])),
    ]
    print("valid MDP", file=out)
    _print_kv(rows, out)
    return 0


def _cmd_examples(args, out):
    from . import examples

    if args.name is None:
        listing = [examples.describe(n) for n in examples.names()]
        if args.json:
            json.dump(listing, out, indent=1, default=str)
            print(file=out)
        else:
            width = max(len(d["name"]) for d in listing)
            for d in listing:
                print(f"{d['name']:<{width}}  {d['description']}", file=out)
        return 0
    mdp = examples.get(args.name)
    if args.save:
        from .io import save

        save(mdp, args.save, metadata={"example": args.name})
    if args.json:
        d = examples.describe(args.name)
        d["summary"] = mdp.summary()
        if args.save:
            d["saved_to"] = args.save
        json.dump(d, out, indent=1, default=str)
        print(file=out)
    else:
        d = examples.describe(args.name)
        print(f"{d['name']}: {d['description']}", file=out)
        print(f"source: {d['source']}", file=out)
        print(f"parameters: {d['parameters']}", file=out)
        print(repr(mdp), file=out)
        if args.save:
            print(f"saved to {args.save}", file=out)
    return 0


def build_parser():
    """The argparse parser of the ``identifiability`` command.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> p = build_parser()
    >>> p.parse_args(["info", "example:bandit-v0", "--json"]).json
    True
    """
    parser = argparse.ArgumentParser(
        prog="identifiability",
        description="Check the theory of reward learning on finite MDPs.")
    parser.add_argument("--version", action="version", version=f"identifiability {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("info", help="validate an MDP file and print its summary",
                       description="Validate an MDP (JSON file or example:NAME) and "
                                   "print a summary of the model.")
    p.add_argument("mdp", metavar="MDP", help="path of an identifiability.mdp/1 JSON file, "
                                              "or example:NAME")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("examples", help="list the bundled example MDPs, or show/save one",
                       description="List the registered example MDPs, or describe one "
                                   "(and save it as JSON with --save).")
    p.add_argument("name", nargs="?", help="example name, e.g. cao2021-example1-v0")
    p.add_argument("--save", metavar="PATH", help="write the example as a JSON file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_examples)
    return parser


def main(argv=None, out=None):
    """Run the command line; returns the exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).
    out : file, optional
        Where to write results (default ``sys.stdout``).

    Returns
    -------
    int
        0 on success, 2 on invalid input.

    Examples
    --------
    >>> main(["info", "example:bandit-v0"])
    valid MDP
    MDP           example:bandit-v0
    states        1
    ...
    0
    """
    from .errors import IdentifiabilityError

    out = sys.stdout if out is None else out
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(out)
        return 2
    try:
        return args.func(args, out)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        return 0
    except (IdentifiabilityError, OSError) as exc:
        msg = str(exc) if not isinstance(exc, OSError) else f"{exc.strerror}: {exc.filename}"
        if getattr(args, "json", False):
            json.dump({"error": type(exc).__name__, "message": msg}, out, indent=1)
            print(file=out)
        print(f"identifiability {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
