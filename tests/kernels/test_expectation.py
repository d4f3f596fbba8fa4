"""Every expectation object satisfies the declared protocol."""

import pytest

import theorycheck as tc
from theorycheck.activations import NAMED_ACTIVATIONS
from theorycheck.kernels.expectation import Expectations
from theorycheck.kernels.quadrature import Quadrature


@pytest.mark.parametrize("name", NAMED_ACTIVATIONS)
def test_builtin_expectations_satisfy_the_protocol(name):
    act = tc.get_activation(name)
    e = act.expectations(8)
    assert isinstance(e, Expectations)
    assert act.closed_form == (not isinstance(e, Quadrature))


def test_an_object_missing_a_method_is_not_an_expectation():
    class NoBlock:
        name = "half"

        def diag(self, q):
            return q

        def stats(self, q):
            return {}

        def pair_mp(self, a, b, rho):
            return a, b

    assert not isinstance(NoBlock(), Expectations)
    with pytest.raises(TypeError, match="must implement theorycheck.kernels.expectation.Expectations"):
        tc.Activation(lambda z: z, name="half", expectation=NoBlock())
