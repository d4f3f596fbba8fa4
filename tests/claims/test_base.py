"""The claim form (theorycheck/claims/base.py): declared configs and statements, derived verdicts, shared measurements.

Throwaway claims are built here and never registered; the registry-wide tests run over every registered claim.
"""

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from theorycheck.claims import REGISTRY, SCALES, Check, Claim, ClaimResult, Context, all_claims, get_claim, register


@dataclass(frozen=True)
class Cfg:
    n: int
    tol: float = 0.5


CONFIGS = {"small": Cfg(n=3), "paper": Cfg(n=30)}


def _claim(measure=None, judge=None, **kw):
    base = dict(id="tmp.claim", title="t", statement="the sum of {n} numbers is below {tol}", source="src",
                docs="docs/theory/dense.md#x", verification="[R]", assumptions=(), configs=CONFIGS,
                measure=measure or (lambda cfg, ctx: {"value": 0.1 * cfg.n}),
                judge=judge or (lambda cfg, d: [Check("value below tol", d["value"], cfg.tol, "<=", "a number")]))
    base.update(kw)
    return Claim(**base)


# ------------------------------------------------------------------------------------------ verdicts
def test_status_is_derived_from_the_checks():
    assert _claim().run(Context(scale="small")).status == "passed"
    r = _claim().run(Context(scale="paper"))  # 3.0 > 0.5
    assert r.status == "failed" and not r.passed and "value below tol" in r.reason
    assert r.failing == [r.checks[0]] and r.n_holding == 0


def test_exploratory_claims_end_unsupported_not_failed():
    r = _claim(exploratory="weak empirical statement").run(Context(scale="paper"))
    assert r.status == "unsupported" and "not supported at this scale" in r.reason and "weak empirical" in r.reason
    assert _claim(exploratory="weak").run(Context(scale="small")).status == "passed"


def test_status_cannot_be_set_by_hand():
    r = _claim().run()
    with pytest.raises(AttributeError):
        r.status = "failed"


@pytest.mark.parametrize("value, bound, relation, holds", [
    (1.0, 1.0, "<=", True), (1.0 + 1e-12, 1.0, "<=", False), (2.0, 1.0, ">=", True), (0.5, 1.0, ">=", False),
    (math.nan, 1.0, "<=", False), (math.inf, 1.0, ">=", False), (0.0, math.nan, "<=", False),
])
def test_check_holds(value, bound, relation, holds):
    c = Check("c", value, bound, relation)
    assert c.holds is holds
    assert ClaimResult("x", checks=(c,)).status == ("passed" if holds else "failed")


def test_check_validates_its_relation():
    with pytest.raises(ValueError, match="relation must be one of"):
        Check("c", 1.0, 1.0, "<")


def test_an_error_is_a_failed_result_with_its_traceback():
    def boom(cfg, ctx):
        raise RuntimeError("boom")

    r = _claim(measure=boom).run()
    assert r.status == "failed" and "RuntimeError: boom" in r.summary
    assert "Traceback" in r.error and "boom" in r.reason and not r.checks


@pytest.mark.parametrize("judge, match", [
    (lambda cfg, d: [], "non-empty list of Check"),
    (lambda cfg, d: [("value", 1.0)], "non-empty list of Check"),
])
def test_judge_must_return_named_checks(judge, match):
    r = _claim(judge=judge).run()
    assert r.status == "failed" and match in r.error


def test_measure_must_return_a_dict():
    r = _claim(measure=lambda cfg, ctx: [1.0]).run()
    assert r.status == "failed" and "measure must return a dict" in r.error


def test_a_claim_needing_cuda_is_skipped_without_it():
    r = _claim(requires=("cuda",)).run(Context(device="cpu"))
    assert r.status == "skipped" and "CUDA" in r.reason and not r.passed and not r.checks
    if torch.cuda.is_available():
        assert _claim(requires=("cuda",)).run(Context(device="cuda")).status == "passed"


# ------------------------------------------------------------------------------------------ declaration
def test_statement_is_rendered_from_the_config():
    c = _claim()
    assert c.render_statement("small") == "the sum of 3 numbers is below 0.5"
    assert c.render_statement("paper") == "the sum of 30 numbers is below 0.5"
    assert _claim(statement=lambda cfg: f"n = {cfg.n}").render_statement("paper") == "n = 30"


def test_declaration_is_validated():
    with pytest.raises(ValueError, match="missing \\['paper'\\]"):
        _claim(configs={"small": Cfg(n=3)})
    with pytest.raises(KeyError):
        _claim(statement="{unknown}")
    with pytest.raises(TypeError, match="frozen dataclass or a mapping"):
        _claim(configs={"small": 3, "paper": 4})
    with pytest.raises(ValueError, match="scale must be one of"):
        _claim().config("huge")


def test_registry_rejects_duplicates_and_unknown_ids():
    with pytest.raises(ValueError, match="already registered"):
        register(REGISTRY["dense.kernel_psd"])
    with pytest.raises(ValueError, match="unknown claim id"):
        get_claim("nope")
    with pytest.raises(TypeError, match="register takes a Claim"):
        register("dense.kernel_psd")


def test_context_validates():
    with pytest.raises(ValueError, match="scale must be one of"):
        Context(scale="huge")
    with pytest.raises(ValueError, match="seed"):
        Context(seed=-1)


def test_context_shared_computes_once_per_run():
    calls = []

    def measurement(ctx, width):
        calls.append(width)
        return {"width": width, "seed": ctx.seed}

    ctx = Context(seed=3)
    assert ctx.shared(measurement, width=8) == {"width": 8, "seed": 3}
    assert ctx.shared(measurement, width=8) == {"width": 8, "seed": 3}
    assert ctx.shared(measurement, width=16)["width"] == 16
    assert calls == [8, 16]
    Context(seed=3).shared(measurement, width=8)  # a new run computes afresh
    assert calls == [8, 16, 8]


def test_shared_time_is_attributed_to_every_reader():
    def slow(ctx):
        import time

        time.sleep(0.01)
        return {"value": 0.1}

    c = _claim(measure=lambda cfg, ctx: ctx.shared(slow))
    ctx = Context()
    first, second = c.run(ctx), c.run(ctx)
    assert first.shared_time > 0 and second.shared_time == first.shared_time  # the second run read the memo


# ------------------------------------------------------------------------------------------ the registry
ROOT = Path(__file__).resolve().parents[2]
CLAIMS = [c.id for c in all_claims()]
FAMILIES = ("dense", "pruned", "bias", "graphon", "topology")


def test_every_family_is_registered_in_report_order():
    """The foundation families come first, in this order, and every family's claims are contiguous."""
    families = [cid.split(".")[0] for cid in CLAIMS]
    order = sorted(set(families), key=families.index)
    assert tuple(order[: len(FAMILIES)]) == FAMILIES
    assert families == sorted(families, key=order.index)


@pytest.mark.parametrize("claim_id", CLAIMS)
def test_every_claim_declares_both_scales_and_renders_its_statement(claim_id):
    claim = get_claim(claim_id)
    assert set(SCALES) <= set(claim.configs)
    for scale in SCALES:
        text = claim.render_statement(scale)
        assert text and not re.search(r"\{[a-z_][a-z_0-9]*(?:[:!][^}]*)?\}", text), text  # no unrendered field
        assert "THEORY.md" not in text
    page, _, anchor = claim.docs.partition("#")
    assert page.startswith("docs/theory/") and (ROOT / page).is_file(), claim.docs  # the page exists
    assert len(anchor) > 2, f"{claim_id}: docs should point at a section: {claim.docs}"
    assert claim.source and claim.verification and claim.title
    for text in (claim.title, claim.verification, claim.source, *claim.assumptions):
        assert "THEORY.md" not in text


@pytest.mark.parametrize("claim_id", CLAIMS)
def test_statements_follow_the_config(claim_id):
    """Where the scales differ, so do the rendered statements (nothing hard-coded to one scale)."""
    claim = get_claim(claim_id)
    small, paper = claim.config("small"), claim.config("paper")
    if small != paper:
        assert claim.render_statement("small") != claim.render_statement("paper"), claim_id


#: The weak empirical claims that may end "unsupported" (each states its reason); every other claim is a theorem check.
EXPLORATORY = {"graphon.spectrum_vs_speed", "iht.phase_diagram", "iht.vs_imp", "nfl.generalization",
               "dst.ramanujan_vs_random", "dst.pags_gain", "pairank.imdb_ranks", "pairank.ramanujan_does_not_rank",
               "pairank.density_baseline", "pairank.weighted_gap_ranks",
               "relchanet.planted_recovery", "relchanet.digits",
               "sparsefirst.fixed_vs_learned_gap", "trsp.two_stage_pruning", "depthinit.digits_no_harm"}


def test_only_the_weak_empirical_claims_are_exploratory():
    assert {c.id for c in all_claims() if c.exploratory} <= EXPLORATORY
    assert all(len(c.exploratory) > 20 for c in all_claims() if c.exploratory)


#: a second of CPU each (dense.kernel_psd, ~50 s, is run by tests/claims/test_dense.py in make test-long)
FAST = ["dense.float64_vs_mp50", "pruned.scaling_identity", "graphon.constant_graphon", "bias.lambda_min"]


@pytest.mark.parametrize("claim_id", FAST)
def test_judge_returns_named_checks(claim_id):
    r = get_claim(claim_id).run(Context())
    names = [c.name for c in r.checks]
    assert r.checks and all(isinstance(c, Check) for c in r.checks)
    assert len(set(names)) == len(names) and all(n and c.meaning for n, c in zip(names, r.checks))
    assert r.status == "passed", r.reason
