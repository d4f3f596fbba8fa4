"""Shared test configuration: hypothesis profiles and torch threads.

Profiles: ``ci`` (derandomized, fixed example budget; used by ``make test``) and ``dev`` (more examples, random;
``make test-long``). Select with HYPOTHESIS_PROFILE.
"""

import os

import torch
from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=25, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
