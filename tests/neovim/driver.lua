-- Drives the testgap plugin inside headless Neovim for test_neovim.py: opens
-- TESTGAP_NVIM_FILE, records what the user would see, and writes it as JSON
-- to TESTGAP_NVIM_OUT (after every stage, so a timeout still shows how far it
-- got). Exits non-zero on any error or timeout.
local file = assert(os.getenv("TESTGAP_NVIM_FILE"), "TESTGAP_NVIM_FILE is not set")
local out_path = assert(os.getenv("TESTGAP_NVIM_OUT"), "TESTGAP_NVIM_OUT is not set")
local timeout = tonumber(os.getenv("TESTGAP_NVIM_TIMEOUT_MS") or "10000")
-- `path:line` of a function to generate tests for, and a test module that fails.
local generate_at = assert(os.getenv("TESTGAP_NVIM_GENERATE_AT"), "TESTGAP_NVIM_GENERATE_AT is not set")
local failing_file = assert(os.getenv("TESTGAP_NVIM_FAILING_FILE"), "TESTGAP_NVIM_FAILING_FILE is not set")

local testgap = require("testgap")
local audit = require("testgap.audit")

local results = { stage = "starting", notifications = {} }

local function save()
  local f = assert(io.open(out_path, "w"))
  f:write(vim.fn.json_encode(results))
  f:close()
end

local original_notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(results.notifications, { message = message, level = level or vim.log.levels.INFO })
  return original_notify(message, level, opts)
end

-- File name -> version of the last diagnostics the server published for it.
local published = {}
local publish_diagnostics = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  publish_diagnostics(err, result, ctx, config)
  if result then
    published[vim.uri_to_fname(result.uri)] = result.version
  end
end

local function wait_for(what, condition)
  results.stage = "waiting for " .. what
  save()
  if not vim.wait(timeout, condition, 20) then
    error(("timed out after %d ms waiting for %s"):format(timeout, what), 0)
  end
end

local function testgap_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == "testgap" then
      out[#out + 1] = {
        lnum = d.lnum,
        col = d.col,
        end_lnum = d.end_lnum,
        end_col = d.end_col,
        severity = d.severity,
        message = d.message,
        code = d.code,
        source = d.source,
      }
    end
  end
  table.sort(out, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return out
end

local function code_actions(client, bufnr, lnum)
  local capabilities = client.server_capabilities or {}
  if not capabilities.codeActionProvider then
    return {}
  end
  local context = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = lnum })) do
    if d.user_data and d.user_data.lsp then
      context[#context + 1] = d.user_data.lsp
    end
  end
  local position = { line = lnum, character = 0 }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = position, ["end"] = position },
    context = { diagnostics = context },
  }
  local answer
  testgap.request(client, "textDocument/codeAction", params, function(err, result)
    answer = { err = err, result = result }
  end, bufnr)
  wait_for("code actions", function()
    return answer ~= nil
  end)
  local titles = {}
  for _, action in ipairs(type(answer.result) == "table" and answer.result or {}) do
    titles[#titles + 1] = action.title
  end
  return titles
end

-- Resolves the first "Generate tests for `name`" action on line `lnum` and
-- applies its edit as the user accepting it would; records the test file.
local function apply_generate_action(client, bufnr, lnum)
  local position = { line = lnum, character = 0 }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = position, ["end"] = position },
    context = { diagnostics = {} },
  }
  local listed
  testgap.request(client, "textDocument/codeAction", params, function(err, result)
    listed = { err = err, result = result }
  end, bufnr)
  wait_for("code actions to apply", function()
    return listed ~= nil
  end)
  local action
  for _, a in ipairs(type(listed.result) == "table" and listed.result or {}) do
    if a.kind ~= "source" and a.title:find("Generate tests for `", 1, true) == 1 then
      action = action or a
    end
  end
  if not action then
    return { error = "no generate action" }
  end
  local resolved
  testgap.request(client, "codeAction/resolve", action, function(err, result)
    resolved = { err = err, result = result }
  end, bufnr)
  wait_for("the generated tests", function()
    return resolved ~= nil
  end)
  if resolved.err then
    return { title = action.title, error = vim.inspect(resolved.err) }
  end
  local edit = resolved.result.edit
  local file
  if edit then
    vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding or "utf-16")
    for _, change in ipairs(edit.documentChanges or {}) do
      if change.textDocument then
        file = vim.uri_to_fname(change.textDocument.uri)
      end
    end
  end
  if not file then
    return { title = action.title, error = "the resolved action has no text edit" }
  end
  local target = vim.fn.bufadd(file)
  vim.fn.bufload(target)
  vim.api.nvim_buf_call(target, function()
    vim.cmd("silent write")
  end)
  return {
    title = action.title,
    file = file,
    text = table.concat(vim.api.nvim_buf_get_lines(target, 0, -1, false), "\n"),
  }
end

local function audit_view()
  local view = { buffer = {}, quickfix = {} }
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(bufnr) == audit.buffer_name then
      view.buffer = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    end
  end
  for _, item in ipairs(vim.fn.getqflist()) do
    view.quickfix[#view.quickfix + 1] = {
      filename = vim.api.nvim_buf_get_name(item.bufnr),
      lnum = item.lnum,
      text = item.text,
    }
  end
  return view
end

local function jump_from_audit()
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for i, line in ipairs(lines) do
    if line:match("^%s+%S") then
      vim.api.nvim_win_set_cursor(0, { i, 0 })
      vim.cmd([[execute "normal \<CR>"]])
      return {
        from = line,
        filename = vim.api.nvim_buf_get_name(0),
        lnum = vim.api.nvim_win_get_cursor(0)[1],
      }
    end
  end
  return vim.NIL
end

local function plugin_defaults()
  local path = vim.api.nvim_get_runtime_file("lsp/testgap.lua", false)[1]
  local d = testgap.defaults
  return {
    lsp_config = dofile(path),
    setup_defaults = { cmd = d.cmd, filetypes = d.filetypes, root_markers = d.root_markers },
  }
end

local function notified(text)
  for _, n in ipairs(results.notifications) do
    if n.message:find(text, 1, true) then
      return true
    end
  end
  return false
end

local function messages_with(text)
  local found = {}
  for _, n in ipairs(results.notifications) do
    if n.message:find(text, 1, true) then
      found[#found + 1] = n
    end
  end
  return found
end

local function failing_tests(bufnr)
  local found = {}
  for _, d in ipairs(testgap_diagnostics(bufnr)) do
    if d.code == "failing-test" then
      found[#found + 1] = d
    end
  end
  return found
end

local function main()
  results.nvim_version = vim.fn.execute("version"):match("NVIM v[^\n]+")
  results.plugin = plugin_defaults()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  results.filetype = vim.bo[bufnr].filetype
  wait_for("the testgap client", function()
    return testgap.clients(bufnr)[1] ~= nil
  end)
  local client = testgap.clients(bufnr)[1]
  results.server_pid = client.rpc and client.rpc.pid
  results.root_dir = client.config.root_dir

  wait_for("testgap diagnostics", function()
    return #testgap_diagnostics(bufnr) > 0
  end)
  results.diagnostics = testgap_diagnostics(bufnr)
  results.code_actions = code_actions(client, bufnr, results.diagnostics[1].lnum)
  results.generated = apply_generate_action(client, bufnr, results.diagnostics[1].lnum)
  vim.cmd("buffer " .. bufnr)

  vim.api.nvim_buf_set_lines(bufnr, 0, 0, false, { "# one", "# two", "# three" })
  local name = vim.api.nvim_buf_get_name(bufnr)
  local version = vim.api.nvim_buf_get_changedtick(bufnr)
  wait_for("diagnostics of the edited text", function()
    return published[name] == version
  end)
  results.diagnostics_after_edit = testgap_diagnostics(bufnr)

  vim.cmd("TestgapAudit")
  wait_for("the audit", function()
    return vim.fn.getqflist({ title = 0 }).title == audit.quickfix_title
  end)
  results.audit = audit_view()
  results.audit.jump = jump_from_audit()

  -- :TestgapGenerate with the cursor in a function: Neovim applies the
  -- server's edit; writing the buffers saves the new tests.
  local generate_file, generate_line = generate_at:match("^(.*):(%d+)$")
  vim.cmd("edit " .. vim.fn.fnameescape(generate_file))
  vim.api.nvim_win_set_cursor(0, { tonumber(generate_line), 4 })
  wait_for("the testgap client of " .. generate_file, function()
    return testgap.clients(0)[1] ~= nil
  end)
  vim.cmd("TestgapGenerate")
  wait_for("the answer to testgap.generate", function()
    return notified("generated ")
  end)
  vim.cmd("silent! wall")
  results.generate_messages = messages_with("generated ")

  -- A test broken by a refactor: :TestgapRunTests! shows why, :TestgapFix
  -- with the cursor on the failure repairs the buffer.
  vim.cmd("edit " .. vim.fn.fnameescape(failing_file))
  local tests_buf = vim.api.nvim_get_current_buf()
  wait_for("the testgap client of " .. failing_file, function()
    return testgap.clients(tests_buf)[1] ~= nil
  end)
  -- pytest's last run failed it: shown on open, before anything runs.
  wait_for("the last run's failure", function()
    return #failing_tests(tests_buf) > 0
  end)
  results.last_run = failing_tests(tests_buf)
  vim.cmd("TestgapRunTests!")
  wait_for("the classified failure", function()
    local found = failing_tests(tests_buf)
    return #found > 0 and found[1].message:find("type_error", 1, true) ~= nil
  end)
  results.failing = failing_tests(tests_buf)
  vim.api.nvim_win_set_cursor(0, { results.failing[1].lnum + 1, 4 })
  vim.cmd("TestgapFix")
  wait_for("the fix", function()
    return notified("fixed ")
  end)
  results.fix_messages = messages_with("fixed ")
  results.fixed_text = table.concat(vim.api.nvim_buf_get_lines(tests_buf, 0, -1, false), "\n")
  vim.cmd("silent write")
  wait_for("the failure to clear", function()
    return #failing_tests(tests_buf) == 0
  end)
  results.stage = "done"
end

local function run()
  local ok, err = xpcall(main, debug.traceback)
  if not ok then
    results.error = err
  end
  results.errmsg = vim.v.errmsg
  results.messages = vim.fn.execute("messages")
  save()
  vim.cmd(ok and "qall!" or "cquit 3")
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  callback = function()
    vim.schedule(run)
  end,
})
