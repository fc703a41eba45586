"""What an output folder of `dlcheck batch` holds, and which folders merge.

`dlcheck batch` writes DIR/batch.json before it grades anything:

    {"dlcheck_batch": 1,
     "root": "/abs/class",                          # the class root its ids are relative to
     "shard": {"index": 2, "count": 4},             # 1/1 without --shard
     "class": {"submissions": 120, "digest": "…"},  # every id of the whole class, in order, hashed
     "ids": ["alice__hw-1a2b3c4d", …]}              # this shard's ids, in order

so a folder says which shard of how many it is and over which file list, and
`dlcheck merge` refuses, naming the folders, anything but one complete class:
all N shards present, none twice, the same class list everywhere, and a result
for every id each shard lists (a shard that failed half-way is incomplete until
it is run again, with --resume). Indices come from any engine that runs indexed
jobs: a GitHub Actions matrix, a Slurm array, a Kubernetes Indexed Job."""
from __future__ import annotations

import os
from pathlib import Path

from dlcheck.batch import RESULTS
from dlcheck.cache import digest, read_json, write_json_atomic
from dlcheck.errors import SubmissionFileError

MANIFEST = "batch.json"
FORMAT = 1


class ShardError(SubmissionFileError):
    """Folders that do not make one complete class (exit 2)."""


def resolve(spec: str | None, env=None) -> str | None:
    """`--shard` as `i/N` (1-based). `auto` or `auto/N` takes the index from the engine running
    this job: a Slurm array (SLURM_ARRAY_TASK_ID, counted from SLURM_ARRAY_TASK_MIN, so
    `--array=0-3` and `--array=1-4` both work; N from SLURM_ARRAY_TASK_COUNT) or a Kubernetes
    Indexed Job (JOB_COMPLETION_INDEX, 0-based; N must be given: `auto/4`, the Job's completions).
    ShardError saying what is missing otherwise."""
    import re

    if spec is None or not spec.strip().lower().startswith("auto"):
        return spec
    env = os.environ if env is None else env
    m = re.fullmatch(r"\s*auto\s*(?:/\s*(\d+)\s*)?", spec, re.IGNORECASE)
    if not m:
        raise ShardError(f"--shard {spec!r}: expected i/N, auto (a Slurm array) or auto/N (any indexed job)")
    given = int(m.group(1)) if m.group(1) else None

    def number(name: str) -> int | None:
        text = env.get(name, "").strip()
        if not text:
            return None
        if not text.isdigit():
            raise ShardError(f"--shard {spec}: {name}={text!r} is not an index")
        return int(text)

    task = number("SLURM_ARRAY_TASK_ID")
    if task is not None:
        low, high = number("SLURM_ARRAY_TASK_MIN"), number("SLURM_ARRAY_TASK_MAX")
        step = number("SLURM_ARRAY_TASK_STEP")
        count = number("SLURM_ARRAY_TASK_COUNT")
        if low is None or (count is None and high is None):
            raise ShardError(f"--shard {spec}: SLURM_ARRAY_TASK_ID is set without SLURM_ARRAY_TASK_MIN and "
                             f"SLURM_ARRAY_TASK_COUNT; give --shard i/N")
        if step not in (None, 1):
            raise ShardError(f"--shard {spec}: the Slurm array has step {step}; use a contiguous array "
                             f"(--array=1-N) or --shard $SLURM_ARRAY_TASK_ID/N")
        count = count if count is not None else high - low + 1
        if given is not None and given != count:
            raise ShardError(f"--shard {spec}: the Slurm array has {count} tasks, not {given}")
        index, source = task - low + 1, f"SLURM_ARRAY_TASK_ID={task}"
    else:
        task = number("JOB_COMPLETION_INDEX")
        if task is None:
            raise ShardError(f"--shard {spec}: no job index in the environment (SLURM_ARRAY_TASK_ID, "
                             f"JOB_COMPLETION_INDEX); give --shard i/N")
        if given is None:
            raise ShardError(f"--shard {spec}: JOB_COMPLETION_INDEX={task} gives the index, not the count; "
                             f"give it: --shard auto/N (the Job's completions)")
        count, index, source = given, task + 1, f"JOB_COMPLETION_INDEX={task}"
    if not 1 <= index <= count:
        raise ShardError(f"--shard {spec}: {source} is shard {index} of {count}: outside 1..{count}")
    return f"{index}/{count}"


def manifest(root: Path | None, shard: tuple[int, int] | None, everyone: list, mine: list) -> dict:
    index, count = shard or (1, 1)
    return {"dlcheck_batch": FORMAT, "root": str(root) if root is not None else None,
            "shard": {"index": index, "count": count},
            "class": {"submissions": len(everyone), "digest": class_digest([job.id for job in everyone])},
            "ids": [job.id for job in mine]}


def class_digest(ids: list) -> str:
    return digest(*ids)


def write(out: Path, data: dict) -> None:
    write_json_atomic(out / MANIFEST, data)


def read(folder: Path) -> dict | None:
    """A folder's manifest, None when it has none; ShardError when it is damaged."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        return None
    data = read_json(path) if path.is_file() and not path.is_symlink() else None
    shard = data.get("shard") if isinstance(data, dict) else None
    klass = data.get("class") if isinstance(data, dict) else None
    ok = (isinstance(shard, dict) and isinstance(klass, dict) and data.get("dlcheck_batch") == FORMAT
          and all(isinstance(shard.get(k), int) and not isinstance(shard.get(k), bool) for k in ("index", "count"))
          and 1 <= shard["index"] <= shard["count"] and isinstance(klass.get("digest"), str)
          and isinstance(klass.get("submissions"), int) and isinstance(data.get("ids"), list)
          and all(isinstance(i, str) and i and "/" not in i and not i.startswith(".") for i in data["ids"]))
    if not ok:
        raise ShardError(f"{path}: damaged (not the manifest `dlcheck batch` writes); grade that shard again")
    return data


def stored_root(out: Path) -> Path | None:
    """The class root an earlier run into `out` used, when it still exists here."""
    try:
        data = read(out)
    except ShardError:
        return None
    root = data.get("root") if data else None
    return Path(root) if isinstance(root, str) and os.path.isdir(root) else None


def plan_merge(folders: list) -> list:
    """[(folder, ids)] for folders that make one complete class; ShardError naming every
    folder that is missing, duplicated, incomplete or of another class otherwise."""
    found, problems = [], []
    for folder in map(Path, folders):
        if not (folder / RESULTS).is_dir():
            problems.append(f"{folder}: not a `dlcheck batch` output folder (no {RESULTS}/ in it)")
            continue
        data = read(folder)
        if data is None:
            problems.append(f"{folder}: no {MANIFEST} (graded by an older dlcheck?): it does not say which shard "
                            f"it is; grade it again")
            continue
        found.append((folder, data))
    if problems:
        raise ShardError("cannot merge:\n  " + "\n  ".join(problems))
    counts = {data["shard"]["count"] for _, data in found}
    if len(counts) > 1:
        problems.append("the folders split the class differently: " + ", ".join(
            f"{folder} is shard {_name(data)}" for folder, data in found))
    classes = {(data["class"]["digest"], data["class"]["submissions"]) for _, data in found}
    if len(classes) > 1:
        problems.append("the shards graded different file lists (a checkout that differs?): " + ", ".join(
            f"{folder} ({data['class']['submissions']} submissions, list {data['class']['digest'][:8]})"
            for folder, data in found))
    if problems:
        raise ShardError("cannot merge:\n  " + "\n  ".join(problems))
    count = counts.pop()
    by_index: dict = {}
    for folder, data in found:
        by_index.setdefault(data["shard"]["index"], []).append(folder)
    for index, holders in sorted(by_index.items()):
        if len(holders) > 1:
            problems.append(f"shard {index}/{count} is given twice: {', '.join(map(str, holders))}")
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in by_index]
    if missing:
        problems.append(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing (run "
                        f"`dlcheck batch … --shard {missing[0]}` and give its folder too)")
    seen: dict = {}
    for folder, data in found:
        absent = [i for i in data["ids"] if not _result(folder, i)]
        if absent:
            problems.append(f"{folder} (shard {_name(data)}) is incomplete: {len(absent)} of its "
                            f"{len(data['ids'])} results missing (first: {absent[0]}); run it again with "
                            f"--shard {_name(data)} --resume into the same folder")
        for i in data["ids"]:
            if i in seen and seen[i] != folder:
                problems.append(f"{i} is in two shards: {seen[i]} and {folder}")
            seen.setdefault(i, folder)
    total = found[0][1]["class"]["submissions"]
    if not problems and len(seen) != total:
        problems.append(f"the shards list {len(seen)} submissions, but the class has {total}")
    if problems:
        raise ShardError("cannot merge:\n  " + "\n  ".join(problems))
    return [(folder, list(data["ids"])) for folder, data in sorted(found, key=lambda f: f[1]["shard"]["index"])]


def merged(plan: list, everyone: int, class_digest_: str) -> dict:
    """The manifest of a merged folder: the whole class as shard 1/1, in the class's order."""
    shares = [ids for _, ids in plan]
    order = [shares[k % len(shares)][k // len(shares)] for k in range(everyone)]
    return {"dlcheck_batch": FORMAT, "root": None, "shard": {"index": 1, "count": 1},
            "class": {"submissions": everyone, "digest": class_digest_}, "ids": order}


def _result(folder: Path, job_id: str) -> bool:
    path = folder / RESULTS / f"{job_id}.json"
    return path.is_file() and not path.is_symlink()


def _name(data: dict) -> str:
    return f"{data['shard']['index']}/{data['shard']['count']}"
