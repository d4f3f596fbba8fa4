"""The DAG cell space (theorycheck/cells.py): parsing, validation, path statistics, enumeration."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.cells import Cell, enumerate_cells, valid_cells

codes = st.integers(1, 4).flatmap(
    lambda h: st.lists(st.sampled_from("012"), min_size=h * (h + 1) // 2, max_size=h * (h + 1) // 2))


def test_parse_and_statistics():
    c = Cell("1_11_121")
    assert c.nodes == 3 and c.code == "1_11_121" and str(c) == "1_11_121"
    assert c.path_depths == (0, 0, 0, 1) and c.path_count == 4 and c.mean_depth == 0.25 and c.total_depth == 1
    assert c.op(1, 3) == "linear" and c.op(0, 1) == "skip"
    assert Cell(["linear", "zero", "linear", "zero", "zero", "linear"]) == Cell("2_02_002")
    assert Cell("2_02_002").is_chain and not Cell("1_02_002").is_chain and not Cell("2_20_020").is_chain
    assert Cell("2_02_002").linear_edges == ((0, 1), (1, 2), (2, 3))
    assert not Cell("1_01_001").is_valid and Cell("1_01_001").path_count == 1
    assert Cell("2_00_002").path_count == 0 and not Cell("2_00_002").is_valid


def test_skip_paths_count_coherent_copies():
    n = Cell("1_11_111").skip_paths()
    assert n[0][3] == 4 and n[0][2] == 2 and n[1][3] == 2 and n[2][3] == 1 and n[3][3] == 1
    assert Cell("2_02_002").skip_paths()[0][3] == 0


@pytest.mark.parametrize("bad, err", [("2_02_02", ValueError), ("2_02_003", ValueError), ("", ValueError),
                                      ("22_002", ValueError), (["linear", "conv", "skip"], ValueError),
                                      (["linear", "skip"], ValueError), (3.0, TypeError), ([1.5, 1, 1], TypeError)])
def test_bad_cells_raise_naming_the_parameter(bad, err):
    with pytest.raises(err, match="code"):
        Cell(bad)


def test_enumeration_counts():
    cells = list(enumerate_cells(3))
    assert len(cells) == 729 and len(set(cells)) == 729
    assert len(valid_cells(3)) == 541
    assert len(list(enumerate_cells(1))) == 3
    with pytest.raises(ValueError, match="nodes"):
        list(enumerate_cells(5))


@given(codes)
def test_path_recursion_matches_enumeration(ops):
    c = Cell(ops)
    assert c.path_count == c.path_count_recursive()
    assert Cell(c.code) == c and hash(Cell(c.code)) == hash(c)
    # every path's linear-edge count is bounded by the number of linear edges and by H
    assert all(0 <= d <= min(c.nodes, len(c.linear_edges)) for d in c.path_depths)
    assert c.is_valid == (c.total_depth > 0)
