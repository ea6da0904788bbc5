"""The shape of a loop: does it retry a failed request or poll for a state, which way a check on a
response goes, does a pass leave after a statement, does a statement run on every pass."""

from __future__ import annotations

import ast
import textwrap

import pytest

from lintkit.python.loops import leaves_after, retries_on_failure, runs_each_pass


def first_loop(source: str) -> tuple[ast.AST, dict[ast.AST, ast.AST]]:
    tree = ast.parse(textwrap.dedent(source))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    loop = next(n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While)))
    return loop, parents


# `while True:` + `resp = call()` + the check below leading to `break` (True: the request
# worked, so the loop leaves on success and goes round on failure: a retry).
LEAVE_WHEN = {
    "resp.ok": True,
    "not resp.ok": False,
    "resp.status_code == 200": True,
    "resp.status_code in (200, 201)": True,
    "resp.status_code < 400": True,
    "200 == resp.status": True,
    "resp.status_code != 200": False,
    "resp.status_code >= 500": False,
    "resp['ResponseMetadata']['HTTPStatusCode'] == 200": True,
    "resp.get('error') is None": True,
    "'Error' in resp": False,
    "'errorMessage' not in resp": True,
    "resp['FailedPutCount'] == 0": True,
    "resp['FailedPutCount'] > 0": False,
    "not errors": True,
    "success": True,
    "resp.ok and data": True,
}


@pytest.mark.parametrize(("check", "succeeded"), LEAVE_WHEN.items(), ids=LEAVE_WHEN.keys())
def test_which_way_a_check_goes(check, succeeded):
    loop, _ = first_loop(f"while True:\n    resp = call()\n    if {check}:\n        break\n")
    # leaving on success is a retry; leaving on failure (and going round on success) is not
    assert retries_on_failure(loop) is succeeded


NOT_A_RETRY = {
    "a state string": "status == 'AVAILABLE'",
    "a state that says success": "resp['status'] == 'SUCCEEDED'",
    "a terminal set": "state in ('DONE', 'FAILED')",
    "a count reached": "len(items) >= expected",
    "a key present": "'Item' in resp",
    "a status check it cannot read": "resp.status_code in RETRYABLE",
    "the attempt count only": "attempt == 4",
}


@pytest.mark.parametrize("check", NOT_A_RETRY.values(), ids=NOT_A_RETRY.keys())
def test_checks_that_make_no_retry_loop(check):
    loop, _ = first_loop(
        f"for attempt in range(5):\n    try:\n        resp = call()\n        if {check}:\n            break\n"
        f"    except ClientError:\n        pass\n"
    )
    assert retries_on_failure(loop) is False


def test_an_unconditional_leave_after_a_caught_error_is_a_retry_even_with_a_state_leave_before_it():
    loop, _ = first_loop(
        """
        for attempt in range(5):
            try:
                resp = call()
            except ClientError:
                continue
            if resp.get("Item") is None:
                return None
            return resp["Item"]
        """
    )
    assert retries_on_failure(loop) is True


def test_a_continue_on_a_state_is_polling_even_with_a_caught_error_and_a_final_return():
    loop, _ = first_loop(
        """
        while True:
            try:
                job = call()
            except ClientError:
                continue
            if job["status"] != "DONE":
                continue
            return job
        """
    )
    assert retries_on_failure(loop) is False


def test_a_return_from_an_inner_loop_waits_for_an_item():
    loop, _ = first_loop(
        """
        for attempt in range(10):
            try:
                resp = call()
            except ClientError:
                pass
            for message in resp.get("Messages", []):
                return message
        """
    )
    assert retries_on_failure(loop) is False


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("call()\n    break", True),
        ("return call()", True),
        ("call()\n    raise Done()", True),
        ("call()", False),
        ("call()\n    if x:\n        break", False),
        ("call()\n    if x:\n        continue\n    break", False),
        ("with lock:\n        call()\n    break", True),
        ("try:\n        call()\n    finally:\n        log()\n    break", True),
        ("try:\n        call()\n    except E:\n        log()\n    else:\n        break", True),
        ("for y in ys:\n        call()\n        break", False),
        ("for y in ys:\n        call()\n        break\n    break", True),
        ("for y in ys:\n        call()\n        return", True),
        ("match x:\n        case 1:\n            call()\n            break", True),
    ],
)
def test_leaves_after(body, expected):
    loop, parents = first_loop(f"for x in xs:\n    {body}\n")
    target = next(n for n in ast.walk(loop) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "call")
    assert leaves_after(target, loop, parents) is expected


def test_leaves_after_outside_statements():
    loop, parents = first_loop("while call():\n    break\n")
    assert leaves_after(loop.test, loop, parents) is False
    comprehension = ast.parse("[call(x) for x in xs]").body[0].value  # type: ignore[attr-defined]
    assert leaves_after(comprehension.elt, comprehension, {}) is False


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("items = []", True),
        ("with lock:\n        items = []", True),
        ("try:\n        items = []\n    except E:\n        pass", True),
        ("if x:\n        items = []", False),
        ("try:\n        pass\n    except E:\n        items = []", False),
        ("for y in ys:\n        items = []", False),
    ],
)
def test_runs_each_pass(body, expected):
    loop, parents = first_loop(f"for x in xs:\n    {body}\n")
    empty = next(n for n in ast.walk(loop) if isinstance(n, ast.List))
    assert runs_each_pass(empty, loop, parents) is expected


def test_a_check_nested_past_the_recursion_limit_is_not_followed():
    test: ast.expr = ast.Attribute(value=ast.Name(id="resp"), attr="ok")
    for _ in range(5000):
        test = ast.UnaryOp(op=ast.Not(), operand=test)
    loop = ast.While(test=ast.Constant(True), body=[ast.If(test=test, body=[ast.Break()], orelse=[])], orelse=[])
    assert retries_on_failure(loop) is False
