"""Segmentation and tiering: RFM, tier schemes, clusters, base customers, lifecycle stages,
tier dynamics, look-alike selection and the fairness audit (docs/domain.md section 1).
"""

from __future__ import annotations
