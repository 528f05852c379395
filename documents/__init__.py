"""Agreement documents: the clause library, composition of canonical texts, and PDF rendering.

Public entry points: `documents.compose.compose` / `load_library`, `documents.render.render_version`,
`render_executed` and `render_html`. Imports only `domain`.
"""
