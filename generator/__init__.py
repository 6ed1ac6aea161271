"""okr-site: OKRs as code.

The package is a pipeline; each module owns one stage and imports only from the stages above it:

errors -> periods -> load -> model -> schema -> fields -> validate      (the format)
-> privacy -> alignment -> progress -> health                          (the engine)
-> i18n -> render -> pages -> export -> diff -> build -> publish -> gitread   (site, review)
-> report -> plugin -> cli                                             (the adapters)
"""

__version__ = "0.1.0"
