"""Certificate pages, one module per audience: public (verification), learner (我的证书) and
organiser (issuing, revoking, templates)."""
