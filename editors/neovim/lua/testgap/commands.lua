-- The :Testgap* user commands: each sends `workspace/executeCommand` to the
-- testgap server of the current buffer and shows the answer.
local testgap = require("testgap")
local audit = require("testgap.audit")

local M = {}

local levels = vim.log.levels
local METHOD_NOT_FOUND = -32601

local function notify(message, level)
  vim.notify("testgap: " .. message, level or levels.INFO)
end

--- Runs server command `command` with the arguments `make_arguments(client)`
--- returns, then `on_result(result, client)`. Errors become one message.
function M.execute(command, make_arguments, on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = testgap.client(bufnr)
  if not client then
    notify("no testgap server is running: open a Python file of the project first", levels.WARN)
    return
  end
  local params = { command = command, arguments = make_arguments and make_arguments(client) or {} }
  testgap.request(client, "workspace/executeCommand", params, function(err, result)
    if err then
      if err.code == METHOD_NOT_FOUND then
        notify(("this server does not offer `%s` yet (%s)"):format(command, err.message), levels.WARN)
      else
        notify(("%s failed: %s"):format(command, err.message or vim.inspect(err)), levels.ERROR)
      end
      return
    end
    if result == vim.NIL then
      result = nil
    end
    on_result(result, client)
  end, bufnr)
end

local function cursor_argument(client)
  local bufnr = vim.api.nvim_get_current_buf()
  local cursor = vim.api.nvim_win_get_cursor(0)
  local line, column = cursor[1] - 1, cursor[2]
  local ok, character = pcall(vim.lsp.util.character_offset, bufnr, line, column, client.offset_encoding)
  return {
    {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = { line = line, character = ok and character or column },
    },
  }
end

local function report_outcome(command)
  return function(result)
    if type(result) == "string" then
      notify(result)
    elseif type(result) == "table" and type(result.message) == "string" then
      notify(result.message)
    else
      notify(command .. " finished")
    end
  end
end

function M.audit(threshold)
  M.execute("testgap.audit", function()
    return threshold and { { threshold = threshold } } or {}
  end, function(result)
    audit.show(result or {})
  end)
end

function M.least_covered(query)
  M.execute("testgap.leastCovered", function()
    return { { query = query or "", limit = 50 } }
  end, function(result)
    local items = audit.gap_items(result or {})
    vim.fn.setqflist({}, " ", { title = "testgap: least covered", items = items })
    if #items == 0 then
      notify("no function with uncovered statements" .. (query and (" matches " .. query) or ""))
      return
    end
    vim.cmd("copen")
  end)
end

function M.reload()
  M.execute("testgap.reloadCoverage", nil, function(result)
    local count = type(result) == "table" and result.reloaded or 0
    notify(("reloaded coverage for %d workspace%s"):format(count, count == 1 and "" or "s"))
  end)
end

local function on_cursor(command)
  return function()
    M.execute(command, cursor_argument, report_outcome(command))
  end
end

M.generate = on_cursor("testgap.generate")
M.fix = on_cursor("testgap.fix")

--- Runs the test at the cursor (else the file's tests); `last_failed`: the
--- tests that failed in pytest's last run instead.
function M.run_tests(last_failed)
  if not last_failed then
    M.execute("testgap.runTests", cursor_argument, report_outcome("testgap.runTests"))
    return
  end
  M.execute("testgap.runTests", function()
    return { { textDocument = { uri = vim.uri_from_bufnr(0) }, lastFailed = true } }
  end, report_outcome("testgap.runTests"))
end

--- Defines the user commands (again, harmlessly, on a second setup).
function M.create()
  local create = vim.api.nvim_create_user_command
  create("TestgapAudit", function(args)
    local threshold = tonumber(args.args)
    if args.args ~= "" and not threshold then
      notify("usage: :TestgapAudit [threshold percentage]", levels.ERROR)
      return
    end
    M.audit(threshold)
  end, { nargs = "?", desc = "testgap: rank the least covered modules" })
  create("TestgapLeastCovered", function(args)
    M.least_covered(args.args ~= "" and args.args or nil)
  end, { nargs = "?", desc = "testgap: least covered functions in the quickfix list" })
  create("TestgapReload", M.reload, { desc = "testgap: reload coverage.json" })
  create("TestgapGenerate", M.generate, { desc = "testgap: generate tests for the function under the cursor" })
  create("TestgapRunTests", function(args)
    M.run_tests(args.bang)
  end, { bang = true, desc = "testgap: run the test under the cursor (!: the last failed tests)" })
  create("TestgapFix", M.fix, { desc = "testgap: repair the failing test under the cursor" })
end

return M
