"""Command-line interface: ``identifiability <command> ...`` or ``python -m identifiability``.

Every command takes ``--json`` for machine-readable output.  Exit codes: 0 on
success, 2 on invalid input (bad file, unknown example, invalid MDP) with a
one-line message naming what was wrong; ``verify`` exits with 1 when a result is not the
expected one (a theorem fails, a known-false statement is not refuted).

An MDP argument is either the path of a JSON file in the
``identifiability.mdp/1`` format or ``example:NAME`` for a registered example
(``identifiability examples`` lists them).  A reward argument (``equivalent``, ``distance``,
``ambiguity --reward``) is inline JSON (``'[0, 1, "1/2"]'``) or the path of a JSON
file holding a nested list or a table ``{"shape": [...], "values": [...], "exact": bool}``
as in the ``rewards`` of an MDP file.
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


def _fmt_num(x):
    return str(x) if not isinstance(x, float) else f"{x:.6g}"


def _witness_lines(mdp, witness, limit=8):
    r1, r2 = witness
    diff = [(s, a, r2[s, a] - r1[s, a]) for s in range(mdp.n_states)
            for a in range(mdp.n_actions) if r2[s, a] != r1[s, a]]
    shown = ", ".join(f"({mdp.state_labels[s]}, {mdp.action_labels[a]}): {_fmt_num(v)}"
                      for s, a, v in diff[:limit])
    more = f", ... ({len(diff)} nonzero entries)" if len(diff) > limit else ""
    return [("witness", "r1 = 0 and r2 = r1 + k with the same soft policy on Access"),
            ("  k (nonzero)", shown + more)]


def _cmd_check(args, out):
    from .identify import identify, minimal_horizon

    from .symbolic import SymbolicMDP

    mdp = _load_mdp(args.mdp)
    if isinstance(mdp, SymbolicMDP):
        return _check_symbolic(args, mdp, out)
    H = args.horizon if args.horizon is not None else mdp.horizon
    if H is None and not args.minimal_horizon:
        from .errors import InvalidMDPError

        raise InvalidMDPError(f"{args.mdp} has no finite horizon; pass --horizon H "
                              "(or --minimal-horizon)")
    report = identify(mdp, H, arithmetic=args.arithmetic) if H is not None else None
    minimal = minimal_horizon(mdp, max_horizon=args.max_horizon, arithmetic=args.arithmetic) \
        if args.minimal_horizon else None
    if args.json:
        data = {"source": args.mdp}
        if report is not None:
            data.update(report.to_dict())
        if minimal is not None:
            data["minimal_horizon"] = {"horizon": minimal[0], "reason": minimal[1]}
        json.dump(data, out, indent=1)
        print(file=out)
        return 0

    def yes(v):
        return "unknown (uncertain)" if v is None else ("yes" if v else "no")

    rows = [("MDP", args.mdp)]
    if report is not None:
        rows += [
            ("horizon", report.horizon),
            ("gamma", _fmt_num(report.gamma)),
            ("arithmetic", report.arithmetic),
            ("weak", yes(report.weak)),
            ("almost-strong", yes(report.almost_strong)),
            ("strong", yes(report.strong)),
            ("dim K_Gamma", report.dim_policy_class),
            ("dim ∩ W_s0", report.dim_trajectory_class),
            ("dim W_Omega", report.dim_shared_class),
            ("reason", report.reason),
        ]
        if report.witness is not None:
            rows += _witness_lines(mdp, report.witness)
        if report.certificate is not None:
            rows.append(("certificate", f"{report.certificate.kind}: "
                                        f"{report.certificate.statement}"))
    if minimal is not None:
        rows.append(("minimal horizon", "none" if minimal[0] is None else minimal[0]))
        rows.append(("  because", minimal[1]))
    _print_kv(rows, out)
    if report is not None:
        print(file=out)
        print(report.explain(), file=out)
    return 0


def _check_symbolic(args, smdp, out):
    """``check`` on a parameter family: generic verdicts and the exceptional set."""
    from .errors import InvalidMDPError, InvalidParameterError
    from .symbolic import identify_symbolic

    if args.minimal_horizon or args.arithmetic == "float":
        raise InvalidParameterError("--minimal-horizon and --arithmetic float are not "
                                    "available for a file with 'parameters'")
    H = args.horizon if args.horizon is not None else smdp.horizon
    if H is None:
        raise InvalidMDPError(f"{args.mdp} has no finite horizon; pass --horizon H")
    report = identify_symbolic(smdp, H)
    if args.json:
        data = {"source": args.mdp}
        data.update(report.to_dict())
        json.dump(data, out, indent=1)
        print(file=out)
        return 0

    def yes(v):
        return "yes" if v else "no"

    rows = [("MDP", args.mdp),
            ("parameters", ", ".join(s.name for s in report.parameters)),
            ("domain", str(report.domain)),
            ("horizon", report.horizon),
            ("generic weak", yes(report.weak)),
            ("generic almost-strong", yes(report.almost_strong)),
            ("generic strong", yes(report.strong)),
            ("dim K_Gamma", report.dim_policy_class),
            ("dim ∩ W_s0", report.dim_trajectory_class),
            ("dim W_Omega", report.dim_shared_class),
            ("exceptional", len([e for e in report.exceptional if e.kind != "equation-only"]))]
    for e in report.exceptional:
        rows.append(("  " + e.kind, e.describe()))
    _print_kv(rows, out)
    print(file=out)
    print(report.explain(), file=out)
    return 0


# ---------------------------------------------------------------------- equivalence
def _exact_leaves(value):
    """True when a parsed JSON value holds no decimal number (io's rule for a missing 'exact')."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return False
    if isinstance(value, list):
        return all(_exact_leaves(v) for v in value)
    return True


def _reward_leaves(value, exact):
    """Decimals as exact strings (``exact``) or floats; other leaves left to ``as_reward``."""
    from decimal import Decimal
    from fractions import Fraction

    if isinstance(value, list):
        return [_reward_leaves(v, exact) for v in value]
    if isinstance(value, Decimal):
        return str(value) if exact else float(value)
    if not exact and isinstance(value, str):
        try:
            return float(Fraction(value))
        except (ValueError, ZeroDivisionError):
            return value            # as_reward names the bad entry
    return value


def _load_reward(spec, where):
    """A reward from inline JSON or a JSON file (nested list, or a ``{"values": ...}`` table).

    Numbers follow the MDP file's rules: integers and ``"p/q"`` strings are exact; a JSON
    decimal makes the table float unless the table says ``"exact": true``.  The shape is
    checked against the MDP by the library (:func:`identifiability.as_reward`).
    """
    from decimal import Decimal

    from .errors import InvalidRewardError

    text = spec
    if not spec.lstrip().startswith(("[", "{")):
        with open(spec, encoding="utf-8") as fh:      # OSError: exit 2 naming the file
            text = fh.read()
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise InvalidRewardError(f"{where} ({spec if len(spec) < 60 else spec[:57] + '...'}) "
                                 f"is not valid JSON: {e.msg} at line {e.lineno} column "
                                 f"{e.colno}") from None
    exact = None
    if isinstance(data, dict):
        extra = [k for k in data if k not in ("shape", "values", "exact")]
        if "values" not in data or extra:
            raise InvalidRewardError(f"{where} must be a JSON list or an object with keys "
                                     f"'values' (and optionally 'shape', 'exact')"
                                     + (f"; unknown key(s) {extra}" if extra else ""))
        exact, shape, data = data.get("exact"), data.get("shape"), data["values"]
        if exact is not None and not isinstance(exact, bool):
            raise InvalidRewardError(f"{where}: 'exact' must be true or false, got {exact!r}")
        if shape is not None:
            import numpy as np

            got = list(np.shape(np.asarray(data, dtype=object)))
            if shape != got:
                raise InvalidRewardError(f"{where}: 'shape' is {shape} but 'values' has "
                                         f"shape {got}")
    if not isinstance(data, list):
        raise InvalidRewardError(f"{where} must be a JSON list of numbers (nested for "
                                 f"(S, A) and (S, A, S) rewards), got {json.dumps(data, default=str)}")
    if exact is None:
        exact = _exact_leaves(data)
    return _reward_leaves(data, exact)


def _reward_for(mdp, spec, where):
    """:func:`_load_reward` checked against ``mdp`` (the message names the argument)."""
    from .errors import InvalidRewardError
    from .reward import as_reward

    try:
        return as_reward(_load_reward(spec, where), mdp)
    except InvalidRewardError as e:
        msg = str(e)
        raise InvalidRewardError(msg if msg.startswith(where) else f"{where}: {msg}") from None


def _nested_text(arr):
    from ._numbers import format_number

    return json.loads(json.dumps(arr.tolist(), default=format_number)) \
        if arr.dtype == object else arr.tolist()


def _cmd_ambiguity(args, out):
    from .equivalence import ambiguity

    from .errors import InvalidParameterError

    if args.model == "optimal" and args.reward is None:
        raise InvalidParameterError("--model optimal needs --reward R: the class of the "
                                    "optimal-policy model depends on the reward")
    mdp = _load_mdp(args.mdp)
    from .symbolic import SymbolicMDP

    if isinstance(mdp, SymbolicMDP):
        return _ambiguity_symbolic(args, mdp, out)
    reward = _reward_for(mdp, args.reward, "--reward") if args.reward is not None else None
    C = ambiguity(mdp, args.model, domain=args.domain, reward=reward)
    canonical = None
    if reward is not None and C.model.is_linear:
        canonical = C.canonical(reward)
    if args.json:
        if hasattr(C, "to_json"):
            data = C.to_json()
        else:                                   # the 'optimal' cone
            data = {"model": C.model.name, "domain": C.domain, "dim": None,
                    "ambient_dim": C.ambient_dim, "exact": C.is_exact,
                    "invariances": C.model.invariances, "provenance": C.model.provenance,
                    "optimal_sets": C.optimal_sets.tolist(),
                    "linear_part": C.linear_part.to_json()}
        data = {"source": args.mdp, **data}
        if canonical is not None:
            data["canonical"] = _nested_text(canonical)
        json.dump(data, out, indent=1, default=str)
        print(file=out)
        return 0
    print(C.explain(), file=out)
    if canonical is not None:
        print(f"Canonical representative of the reward's class: "
              f"{json.dumps(_nested_text(canonical))}", file=out)
    return 0


def _ambiguity_symbolic(args, smdp, out):
    """``ambiguity`` on a parameter family: the generic dimension and the exceptional values."""
    from .errors import InvalidParameterError
    from .symbolic import ambiguity_dim

    if args.reward is not None:
        raise InvalidParameterError("--reward is not available for a file with 'parameters'")
    res = ambiguity_dim(smdp, args.model, args.domain)
    if args.json:
        json.dump({"source": args.mdp, **res.to_dict()}, out, indent=1, default=str)
        print(file=out)
        return 0
    print(res.explain(), file=out)
    return 0

def _cmd_equivalent(args, out):
    import math

    from .equivalence import equivalent
    from .errors import InvalidParameterError

    if not (math.isfinite(args.beta) and args.beta > 0):
        raise InvalidParameterError(f"--beta must be a finite number > 0, got {args.beta!r}")
    mdp = _load_mdp(args.mdp)
    r1 = _reward_for(mdp, args.reward1, "R1")
    r2 = _reward_for(mdp, args.reward2, "R2")
    res = equivalent(r1, r2, mdp, args.model, beta=args.beta, domain=args.domain)
    if args.json:
        json.dump({"source": args.mdp, **res.to_json()}, out, indent=1, default=str)
        print(file=out)
        return 0
    print(res.explain(), file=out)
    return 0


def _cmd_order(args, out):
    from .equivalence import ordering_table
    from .errors import InvalidParameterError

    models = None
    if args.models is not None:
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        if not models:
            raise InvalidParameterError("--models needs a comma-separated list of models, "
                                        "e.g. q,mce,optimal")
    table = ordering_table(_load_mdp(args.mdp), models=models, domain=args.domain)
    if args.json:
        json.dump({"source": args.mdp, "domain": args.domain, **table.to_json()}, out, indent=1)
        print(file=out)
        return 0
    print(f"Ambiguity ordering on {args.mdp} ({args.domain!r} rewards): '<=' where the row's "
          f"data source refines the column's (every row class lies inside a column class).",
          file=out)
    print(table.to_text(), file=out)
    return 0


def _cmd_distance(args, out):
    import math

    from .distances import dard_distance, epic_distance, starc_distance
    from .errors import InvalidParameterError

    mdp = _load_mdp(args.mdp)
    r1 = _reward_for(mdp, args.reward1, "R1")
    r2 = _reward_for(mdp, args.reward2, "R2")
    norm = {"1": 1, "2": 2, "inf": math.inf}[args.norm]
    wanted = [m.strip() for m in args.methods.split(",") if m.strip()]
    known = {"starc-val", "starc-minimal", "epic", "dard"}
    bad = [m for m in wanted if m not in known]
    if bad or not wanted:
        raise InvalidParameterError(f"--methods: unknown {', '.join(bad) or '(empty list)'}; "
                                    f"choose from {', '.join(sorted(known))}")
    rows = {}
    for m in wanted:
        if m == "starc-val":
            rows[m] = starc_distance(r1, r2, mdp, "val", norm, unreachable=args.unreachable)
        elif m == "starc-minimal":
            rows[m] = starc_distance(r1, r2, mdp, "minimal", norm, unreachable=args.unreachable)
        elif m == "epic":
            rows[m] = epic_distance(r1, r2, mdp)
        else:
            rows[m] = dard_distance(r1, r2, mdp)
    regret = None
    if args.regret:
        from .regret import worst_case_regret

        regret = {"R1 true, R2 optimised": worst_case_regret(mdp, r1, r2),
                  "R2 true, R1 optimised": worst_case_regret(mdp, r2, r1)}
    if args.json:
        payload = {"source": args.mdp, "norm": args.norm, "distances": rows}
        if regret is not None:
            payload["worst_case_regret"] = {k: v.to_dict() for k, v in regret.items()}
        json.dump(payload, out, indent=1, default=str)
        print(file=out)
        return 0
    print(f"Reward distances on {args.mdp} (STARC on [0, 1]: half the paper's scale; "
          f"norm L{args.norm}):", file=out)
    _print_kv([(k, f"{v:.6g}") for k, v in rows.items()], out)
    if regret is not None:
        print("worst-case regret of optimising one reward when the other is true "
              "(normalised by the true reward's return range):", file=out)
        _print_kv([(k, f"{float(v.normalised):.6g}  (regret {float(v.regret):.6g})")
                   for k, v in regret.items()], out)
    return 0


# ---------------------------------------------------------------------- theorem registry
def _table(rows, header, out, *, last_wide=False):
    """Print an aligned table (the last column may be clipped to the terminal width)."""
    import shutil

    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    clip = None
    if last_wide and getattr(out, "isatty", lambda: False)():
        clip = max(20, shutil.get_terminal_size().columns - sum(widths[:-1]) - 2 * (
            len(header) - 1))
    for r in [header, *rows]:
        cells = [str(c) for c in r]
        if clip is not None and len(cells[-1]) > clip:
            cells[-1] = cells[-1][:clip - 3] + "..."
        line = "  ".join(c.ljust(w) if i < len(cells) - 1 else c
                         for i, (c, w) in enumerate(zip(cells, widths)))
        print(line.rstrip(), file=out)


def _cmd_theorems(args, out):
    from . import theorems as T

    if args.index:
        out.write(T.render_index())
        return 0
    items = T.theorems(kind=args.kind, area=args.area)
    if args.json:
        json.dump([{"id": t.id, "statement": t.statement, "provenance": t.provenance,
                    "kind": t.kind, "area": t.area, "tests": list(t.tests),
                    "examples": t.examples, "module": t.module,
                    "proof": f"proofs/{t.id}.md", "pinned": len(T._pinned_files(t.id))}
                   for t in items], out, indent=1)
        print(file=out)
        return 0
    if not items:
        print("no registered claim matches the filters", file=out)
        return 0
    _table([(t.id, t.kind, t.provenance, t.statement) for t in items],
           ("id", "kind", "provenance", "statement"), out, last_wide=True)
    kinds = {k: sum(t.kind == k for t in items) for k in T.KINDS}
    print(f"\n{len(items)} claims: {kinds['theorem']} theorems, {kinds['conjecture']} "
          f"conjectures, {kinds['false']} known-false teaching statements.  Proofs: "
          f"proofs/<id>.md; check one: identifiability verify --theorem ID", file=out)
    return 0


def _cmd_verify(args, out):
    import os
    import time
    from pathlib import Path

    from . import theorems as T
    from .errors import InvalidParameterError

    if not args.all and not args.theorem:
        raise InvalidParameterError("verify needs --theorem ID (repeatable) or --all "
                                    "(identifiability theorems lists the ids)")
    if args.all and args.theorem:
        raise InvalidParameterError("give either --theorem ID ... or --all, not both")
    ids = [t.id for t in T.theorems()] if args.all else [T.get(i).id for i in args.theorem]
    executor = args.executor
    if executor is None:            # one task (one claim, one chunk): no pool
        cap = (T.get(ids[0]).examples if ids else None) or args.examples
        one = len(set(ids)) == 1 and min(args.examples, cap) <= (args.chunk_size or
                                                                 T.CHUNK_SIZE)
        executor = "dask" if args.scheduler else ("serial" if one else "process")
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    bar = T.ProgressBar(sys.stderr, enabled=False if args.json else None)
    t0 = time.perf_counter()
    try:
        results = T.verify_many(ids, args.examples, args.seed, executor=executor,
                                workers=workers, scheduler=args.scheduler, progress=bar,
                                chunk_size=args.chunk_size)
    finally:
        bar.close()
    wall = time.perf_counter() - t0
    saved = {}
    for r in results:
        if r.failure is not None:
            folder = Path(args.out)
            folder.mkdir(parents=True, exist_ok=True)
            saved[r.id] = r.failure.save(folder / f"{r.id}.json", theorem=r.id)
    ok = all(r.ok for r in results)
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    if args.json:
        json.dump({"ok": ok, "examples": args.examples, "seed": args.seed,
                   "executor": executor, "workers": workers, "seconds": round(wall, 3),
                   "counts": counts,
                   "results": [{**r.to_dict(), "saved": saved.get(r.id)} for r in results]},
                  out, indent=1)
        print(file=out)
        return 0 if ok else 1
    _table([(r.id, r.kind, r.status if r.ok else r.status.upper(), r.examples,
             f"{r.seconds:.2f}") for r in results],
           ("id", "kind", "status", "examples", "seconds"), out)
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    print(f"\n{len(results)} claims: {summary}; {wall:.1f} s wall ({executor}"
          f"{'' if executor == 'serial' else f', {workers} workers'}; seed {args.seed}, "
          f"up to {args.examples} examples each)", file=out)
    for r in results:
        if not r.ok:
            where = f"; instance saved to {saved[r.id]}" if r.id in saved else ""
            print(f"{r.status}: {r.id}: {r.detail or 'no counterexample found'}{where}",
                  file=out)
    if saved and all(r.ok for r in results):
        print(f"counterexamples of the known-false statements saved in {args.out}/",
              file=out)
    print("all results as expected" if ok else "UNEXPECTED RESULTS (exit code 1)", file=out)
    return 0 if ok else 1


def _cmd_counterexample(args, out):
    import time

    from . import theorems as T
    from .errors import InvalidParameterError

    if args.list:
        items = [t for t in T.theorems() if t.kind in ("conjecture", "false")]
        if args.json:
            json.dump([{"id": t.id, "kind": t.kind, "statement": t.statement}
                       for t in items], out, indent=1)
            print(file=out)
            return 0
        _table([(t.id, t.kind, t.statement) for t in items], ("id", "kind", "statement"),
               out, last_wide=True)
        print("\nAny registered claim id (identifiability theorems lists them) or a predicate "
              "module:function (see identifiability.search) is accepted.", file=out)
        return 0
    if not args.conjecture:
        raise InvalidParameterError("counterexample needs a CONJECTURE (a claim id or "
                                    "module:function), or --list")
    from .search import find_counterexample, resolve

    if "" not in sys.path:  # module:function from the current directory
        sys.path.insert(0, "")
    thm = resolve(args.conjecture)
    if args.pin and ":" in args.conjecture:
        raise InvalidParameterError("--pin needs a registered claim, not a module:function "
                                    "predicate")
    t0 = time.perf_counter()
    cx = find_counterexample(thm, max_examples=args.max_examples, seed=args.seed,
                             timeout=args.timeout)
    wall = time.perf_counter() - t0
    if cx is None:
        msg = (f"no counterexample to {thm.id} found within the budget ({args.max_examples} "
               f"examples, {args.timeout:g} s, seed {args.seed}; {wall:.1f} s)")
        if args.json:
            json.dump({"found": False, "claim": thm.id, "kind": thm.kind, "message": msg,
                       "seconds": round(wall, 3)}, out, indent=1)
            print(file=out)
        else:
            print(msg, file=out)
        return 1
    paths = cx.save(args.out)
    pinned = None
    if args.pin:
        pinned = T.pin(thm.id, cx.instance)
    if args.json:
        json.dump({"found": True, **cx.to_dict(), "paths": paths, "pinned": pinned},
                  out, indent=1)
        print(file=out)
        return 0 if cx.verified else 1
    print(cx.explain(), file=out)
    S, A, H = cx.size[:3]
    print(f"\nsearched {cx.examples} instances in {cx.seconds:.1f} s (seed {args.seed}); "
          f"shrunk to S = {S}, A = {A}, H = "
          f"{'inf' if cx.instance.mdp is None or cx.instance.mdp.horizon is None else H}",
          file=out)
    for kind in ("json", "tex", "png"):
        if paths[kind]:
            print(f"wrote {paths[kind]}", file=out)
    if pinned:
        print(f"pinned to {thm.id}: {pinned}", file=out)
    if not cx.verified:
        print("the instance did NOT re-verify after a JSON round trip (exit code 1)",
              file=out)
    return 0 if cx.verified else 1


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

    p = sub.add_parser("check", help="decide weak / almost-strong / strong identifiability",
                       description="Decide whether the MaxEnt (soft-optimal) reward of a "
                                   "finite-horizon MDP is weakly, almost-strongly or strongly "
                                   "identifiable; print the dimensions of the classes, the "
                                   "reason, a witness or a certificate.  Exit code 0 whatever "
                                   "the verdict, 2 on bad input.")
    p.add_argument("mdp", metavar="MDP", help="path of an identifiability.mdp/1 JSON file, "
                                              "or example:NAME")
    p.add_argument("--horizon", type=int, metavar="H",
                   help="number of decisions (default: the MDP's horizon)")
    p.add_argument("--minimal-horizon", action="store_true",
                   help="also find the least strongly identifiable horizon")
    p.add_argument("--max-horizon", type=int, metavar="H",
                   help="largest horizon tried by --minimal-horizon (default S^2 + S + 1)")
    p.add_argument("--arithmetic", choices=["exact", "float"],
                   help="default: exact for exact MDPs, float otherwise")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_check)

    from .equivalence import MODELS, ORDER_MODELS

    models = ", ".join(MODELS)
    mdp_help = "path of an identifiability.mdp/1 JSON file, or example:NAME"
    domain_help = "reward domain: s (R(s)), sa (R(s, a)) or sas (R(s, a, s'))"

    p = sub.add_parser("ambiguity", help="the rewards a data source cannot tell apart",
                       description="Print the equivalence class of a data source (behavioural "
                                   "model) on an MDP: its invariances and the dimension of the "
                                   "invariance subspace N (the class of R is R + N).  The "
                                   "return and comparison models of full trajectories need "
                                   "an infinite horizon and 0 < gamma < 1; the policy models "
                                   "(mce, boltzmann and their -trajectories variants) also "
                                   "accept a finite horizon (class K_Gamma).  Exit code 2 on "
                                   "bad input.")
    p.add_argument("mdp", metavar="MDP", help=mdp_help)
    p.add_argument("--model", default="mce", metavar="MODEL",
                   help=f"data source (default mce); one of {models}")
    p.add_argument("--domain", choices=["s", "sa", "sas"], default="sas", help=domain_help +
                   " (default sas)")
    p.add_argument("--reward", metavar="R",
                   help="a reward (inline JSON or a JSON file): required by --model optimal; "
                        "for the other models also print its canonical representative")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_ambiguity)

    p = sub.add_parser("equivalent", help="decide whether a data source tells two rewards apart",
                       description="Decide whether two rewards are equivalent under a data "
                                   "source; print the decomposition (shaping potential, "
                                   "S'-redistribution, mask) or an observation that differs.  "
                                   "Exit code 0 whatever the verdict, 2 on bad input.")
    p.add_argument("mdp", metavar="MDP", help=mdp_help)
    p.add_argument("reward1", metavar="R1",
                   help="inline JSON (e.g. '[0, 1, \"1/2\"]') or a JSON file: a nested list of "
                        "shape (S,), (S, A) or (S, A, S), or {\"values\": ...}")
    p.add_argument("reward2", metavar="R2", help="the second reward, like R1")
    p.add_argument("--model", default="mce", metavar="MODEL",
                   help=f"data source (default mce); one of {models}")
    p.add_argument("--beta", type=float, default=1.0,
                   help="inverse temperature, used to report a differing observation "
                        "(default 1; the classes do not depend on it)")
    p.add_argument("--domain", choices=["s", "sa", "sas"],
                   help=domain_help + " (default: the larger of the two rewards' shapes)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_equivalent)

    p = sub.add_parser("order", help="the ambiguity ordering of data sources on an MDP",
                       description="For every pair of data sources, whether the first refines "
                                   "the second on this MDP (each class of the first lies "
                                   "inside a class of the second).  Needs an infinite horizon "
                                   "and 0 < gamma < 1.  Exit code 2 on bad input.")
    p.add_argument("mdp", metavar="MDP", help=mdp_help)
    p.add_argument("--models", metavar="A,B,...",
                   help=f"comma-separated data sources (default: {','.join(ORDER_MODELS)}); "
                        f"any of {models}")
    p.add_argument("--domain", choices=["s", "sa", "sas"], default="sas",
                   help=domain_help + " (default sas)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_order)

    p = sub.add_parser("distance", help="STARC / EPIC / DARD distances between two rewards",
                       description="Reward distances between R1 and R2 on an MDP: STARC with "
                                   "value-adjusted levelling and with the minimal L2 "
                                   "canonicalisation (reported on [0, 1], half the STARC "
                                   "paper's scale), EPIC and DARD (uniform coverage).  "
                                   "--regret adds the worst-case regret of optimising one "
                                   "reward when the other is true.  Exit code 2 on bad input.")
    p.add_argument("mdp", metavar="MDP", help=mdp_help)
    p.add_argument("reward1", metavar="R1",
                   help="inline JSON (e.g. '[0, 1, \"1/2\"]') or a JSON file: a nested list of "
                        "shape (S,), (S, A) or (S, A, S), or {\"values\": ...}")
    p.add_argument("reward2", metavar="R2", help="the second reward, like R1")
    p.add_argument("--methods", default="starc-val,starc-minimal,epic,dard",
                   metavar="M,...", help="comma-separated subset of starc-val, starc-minimal, "
                                         "epic, dard (default: all)")
    p.add_argument("--norm", choices=["1", "2", "inf"], default="2",
                   help="norm and metric of the STARC distances (default 2)")
    p.add_argument("--unreachable", choices=["mask", "ignore", "raise"], default="mask",
                   help="states unreachable from the start: compare on the reachable part "
                        "(default, with a warning), keep them, or refuse")
    p.add_argument("--regret", action="store_true",
                   help="also report the worst-case regret in both directions")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_distance)

    from .theorems import AREAS, CHUNK_SIZE, EXECUTORS, KINDS

    p = sub.add_parser("theorems", help="list the registered claims (the theorem registry)",
                       description="List the registered claims: id, kind (theorem, "
                                   "conjecture, false = known-false teaching statement), "
                                   "provenance (read, reconstructed, derived, empirical) "
                                   "and the one-line statement.  --index prints the "
                                   "generated proofs/README.md.")
    p.add_argument("--kind", choices=KINDS, help="only claims of this kind")
    p.add_argument("--area", choices=[a for a, _ in AREAS], help="only claims of this area")
    p.add_argument("--index", action="store_true",
                   help="print the proofs index generated from the registry "
                        "(python -m identifiability theorems --index > proofs/README.md)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_theorems)

    p = sub.add_parser("verify", help="check registered claims on generated instances",
                       description="Check registered claims on their pinned instances and "
                                   "on N generated instances each (hypothesis, shrinking "
                                   "failures), in this process, on a local process pool or "
                                   "on a Dask cluster.  Prints a summary table and saves "
                                   "the first failing instance of each claim as JSON in "
                                   "--out.  Exit code 0 when every result is as expected "
                                   "(theorems pass, known-false statements are refuted), "
                                   "1 otherwise, 2 on bad input.")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--theorem", action="extend", nargs="+", metavar="ID",
                       help="claim ids (--theorem A B or --theorem A --theorem B)")
    which.add_argument("--all", action="store_true", help="every registered claim")
    p.add_argument("--examples", type=int, default=20, metavar="N",
                   help="generated instances per claim (default 20)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="hypothesis seed; chunk k of a claim uses S + k (default 0)")
    p.add_argument("--executor", choices=EXECUTORS,
                   help="default: process (a local process pool) for several claims "
                        "or chunks, serial for one task; dask with --scheduler")
    p.add_argument("--workers", type=int, metavar="W",
                   help="pool processes or local Dask workers (default: the CPU count)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786) for --executor dask; "
                        "default: start a LocalCluster")
    p.add_argument("--chunk-size", type=int, default=None, metavar="K",
                   help=f"examples per task: a claim's N examples are split into chunks "
                        f"with seeds S, S+1, ... (default {CHUNK_SIZE})")
    p.add_argument("--out", default="verify-failures", metavar="DIR",
                   help="where failing instances are saved as <id>.json "
                        "(default ./verify-failures)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("counterexample", help="find, shrink and export a counterexample",
                       description="Search the instances of a claim (a registered id: a "
                                   "theorem, a conjecture or a known-false teaching "
                                   "statement) or of a predicate module:function for a "
                                   "violation (hypothesis find with target guidance), shrink "
                                   "it (fewest states, actions, horizon; simplest "
                                   "rationals), re-verify it from its JSON and write "
                                   "counterexample.json, counterexample.tex (TikZ) and "
                                   "counterexample.png (with matplotlib) to --out.  Exit "
                                   "code 0 when found, 1 when none is found within the "
                                   "budget, 2 on bad input.")
    p.add_argument("conjecture", nargs="?", metavar="CONJECTURE",
                   help="a claim id (identifiability counterexample --list) or "
                        "module:function (a predicate instance -> bool, True when the "
                        "conjecture holds)")
    p.add_argument("--list", action="store_true",
                   help="list the registered conjectures and known-false statements")
    p.add_argument("--out", default="counterexample", metavar="DIR",
                   help="output folder (default ./counterexample)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="hypothesis seed")
    p.add_argument("--max-examples", type=int, default=1000, metavar="N",
                   help="examples of the main search (default 1000)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="time budget, shrinking included (default 60)")
    p.add_argument("--pin", action="store_true",
                   help="pin the counterexample to the claim (identifiability.theorems.pin): "
                        "verify re-checks it first, always")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_counterexample)
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
        0 on success, 2 on invalid input (``verify``: 1 when a result is unexpected).

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
