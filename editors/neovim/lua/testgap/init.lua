-- testgap for Neovim: starts `testgap lsp` for Python buffers and defines the
-- :Testgap* commands. Works on Neovim 0.7 and later; see ../../README.md.
local M = {}

local uv = vim.uv or vim.loop

--- Whether this Neovim is at least `version` ("0.10").
function M.has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

M.defaults = {
  -- The server command; a list, as `vim.lsp.start()` takes it.
  cmd = { "testgap", "lsp" },
  filetypes = { "python" },
  -- The nearest directory holding any of these is the workspace root.
  root_markers = { "pyproject.toml", "setup.cfg", "setup.py", ".coveragerc", "coverage.json", ".git" },
  -- Server settings (camelCase, as the server reads them): coverageFile,
  -- threshold, functionSeverity, lineSeverity, granularity, inlayHints,
  -- codeLens, python.
  settings = {},
  -- Show inlay hints (Neovim 0.10+).
  inlay_hints = true,
  -- Show code lenses; on Neovim < 0.10 the only way to see each function's
  -- percentage next to its `def`.
  codelens = false,
  on_attach = nil,
  capabilities = nil,
}

M.options = vim.deepcopy(M.defaults)

local function settings_payload(settings)
  if next(settings) == nil then
    -- An empty Lua table would travel as a JSON array.
    return { testgap = vim.empty_dict() }
  end
  return { testgap = settings }
end

--- The nearest directory above `path` that holds one of `markers`, or nil.
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while true do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

local function enable_codelens(bufnr)
  local function refresh()
    if M.has("0.10") then
      vim.lsp.codelens.refresh({ bufnr = bufnr })
    elseif vim.api.nvim_get_current_buf() == bufnr then
      vim.lsp.codelens.refresh()
    end
  end
  vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "CursorHold" }, {
    group = vim.api.nvim_create_augroup("testgap_codelens_" .. bufnr, { clear = true }),
    buffer = bufnr,
    callback = refresh,
  })
  refresh()
end

local function on_attach(client, bufnr)
  if M.options.inlay_hints and M.has("0.10") then
    vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  end
  if M.options.codelens then
    enable_codelens(bufnr)
  end
  if M.options.on_attach then
    M.options.on_attach(client, bufnr)
  end
end

-- Neovim 0.7 sends no settings after initialize by itself; later versions
-- send the ones the client started with. Either way, send the current ones.
local function on_init(client)
  M.push_settings(client)
end

local function client_config(root)
  local o = M.options
  return {
    name = "testgap",
    cmd = o.cmd,
    root_dir = root,
    init_options = settings_payload(o.settings),
    settings = settings_payload(o.settings),
    capabilities = o.capabilities,
    on_init = on_init,
    on_attach = on_attach,
  }
end

local warned_missing = false
local legacy_clients = {} -- Neovim 0.7: root ("" for none) -> client id

--- Starts (or reuses) the server for `bufnr` and attaches it (Neovim < 0.11;
--- on 0.11+ `vim.lsp.enable()` does this).
function M.start(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or vim.bo[bufnr].buftype ~= "" then
    return
  end
  local program = M.options.cmd[1]
  if vim.fn.executable(program) ~= 1 then
    if not warned_missing then
      warned_missing = true
      vim.notify(
        ("testgap: cannot start the server: `%s` is not an executable on PATH "
          .. "(install it with `cargo install --path server`, or pass `cmd` to setup)"):format(program),
        vim.log.levels.ERROR
      )
    end
    return
  end
  local root = M.find_root(name, M.options.root_markers)
  if M.has("0.8") then
    vim.api.nvim_buf_call(bufnr, function()
      vim.lsp.start(client_config(root), { bufnr = bufnr })
    end)
    return
  end
  local key = root or ""
  local id = legacy_clients[key]
  if not (id and vim.lsp.get_client_by_id(id)) then
    id = vim.lsp.start_client(client_config(root))
    if not id then
      return
    end
    legacy_clients[key] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

--- Configures and enables the server; safe to call again.
function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  require("testgap.commands").create()
  local o = M.options
  if M.has("0.11") then
    vim.lsp.config("testgap", {
      cmd = o.cmd,
      filetypes = o.filetypes,
      root_markers = o.root_markers,
      init_options = settings_payload(o.settings),
      settings = settings_payload(o.settings),
      capabilities = o.capabilities,
      on_init = on_init,
      on_attach = on_attach,
    })
    vim.lsp.enable("testgap")
    M.configure({})
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = vim.api.nvim_create_augroup("testgap", { clear = true }),
    pattern = o.filetypes,
    callback = function(args)
      M.start(args.buf)
    end,
  })
  M.configure({})
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(o.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
end

--- The testgap clients attached to `bufnr`, or all of them when it is nil.
function M.clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = "testgap", bufnr = bufnr })
  end
  return vim.tbl_filter(function(client)
    return client.name == "testgap" and (bufnr == nil or vim.lsp.buf_is_attached(bufnr, client.id))
  end, vim.lsp.get_active_clients())
end

--- The client serving `bufnr`, else any testgap client.
function M.client(bufnr)
  return M.clients(bufnr)[1] or M.clients(nil)[1]
end

--- `client:request()`, which was `client.request()` before Neovim 0.11.
function M.request(client, method, params, handler, bufnr)
  if M.has("0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function notify_client(client, method, params)
  if M.has("0.11") then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

--- Sends the current settings to `client`, or to every running testgap server.
function M.push_settings(client)
  local payload = settings_payload(M.options.settings)
  for _, c in ipairs(client and { client } or M.clients(nil)) do
    c.config.settings = payload
    if M.has("0.11") then
      c.settings = payload
    end
    notify_client(c, "workspace/didChangeConfiguration", { settings = payload })
  end
end

--- Changes server settings at run time: `configure({ granularity = "lines" })`.
function M.configure(settings)
  M.options.settings = vim.tbl_deep_extend("force", M.options.settings, settings)
  if M.has("0.11") then
    local payload = settings_payload(M.options.settings)
    vim.lsp.config("testgap", { init_options = payload, settings = payload })
  end
  M.push_settings()
end

return M
