-- testgap's language server, in the shape `vim.lsp.config()` (Neovim 0.11+)
-- and nvim-lspconfig read from `lsp/<name>.lua` on 'runtimepath'.
-- Server settings, all optional: coverageFile, threshold, functionSeverity,
-- lineSeverity, granularity, inlayHints, codeLens, python (see README.md).
return {
  cmd = { "testgap", "lsp" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.cfg", "setup.py", ".coveragerc", "coverage.json", ".git" },
  init_options = { testgap = vim.empty_dict() },
  settings = { testgap = vim.empty_dict() },
}
