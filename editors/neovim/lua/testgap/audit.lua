-- Shows the answer of `testgap.audit` (docs/audit.schema.json) as a table in
-- a scratch buffer, and its functions in the quickfix list.
local M = {}

M.buffer_name = "testgap://audit"
M.quickfix_title = "testgap: audit"

-- Scratch buffer -> { [line] = { filename, lnum } }, for <CR>.
local locations = {}

local function ranges_text(ranges)
  local parts = {}
  for _, r in ipairs(ranges or {}) do
    parts[#parts + 1] = r[1] == r[2] and tostring(r[1]) or (r[1] .. "-" .. r[2])
  end
  return table.concat(parts, ", ")
end

local function width(text)
  return vim.fn.strdisplaywidth(text)
end

local function left(text, n)
  return text .. string.rep(" ", n - width(text))
end

local function right(text, n)
  text = tostring(text)
  return string.rep(" ", n - width(text)) .. text
end

local function join_path(root, path)
  return root:sub(-1) == "/" and root .. path or root .. "/" .. path
end

local function function_text(f, name_width, percent_width)
  local percent = f.summary.percent_covered_display .. "%"
  local text = left(f.name, name_width) .. "  " .. right(percent, percent_width)
  local uncovered = f.uncovered_lines or {}
  if #uncovered > 0 then
    local single = #uncovered == 1 and uncovered[1][1] == uncovered[1][2]
    text = text .. (single and "  line " or "  lines ") .. ranges_text(uncovered)
  end
  local raises = f.untested_raises or 0
  if raises > 0 then
    text = text .. (" · %d untested raise%s"):format(raises, raises == 1 and "" or "s")
  end
  return text
end

--- The lines of the table, the location of each line that names a place,
--- and quickfix items for every function of the ranked modules.
function M.render(audits)
  local lines, where, items = {}, {}, {}
  local function add(text, location)
    lines[#lines + 1] = (text:gsub("\n", " "))
    where[#lines] = location
  end
  for i, a in ipairs(audits) do
    if i > 1 then
      add("")
    end
    local t, cov = a.totals, a.coverage
    add("testgap audit · " .. vim.fn.fnamemodify(a.root, ":~"))
    add(("%s · coverage %s%s · %d of %d files below %s%%"):format(
      vim.fn.fnamemodify(a.coverage_file, ":t"),
      cov.version,
      cov.branch_coverage and ", branch coverage" or "",
      a.files.below_threshold,
      a.files.total,
      a.threshold
    ))
    add(("TOTAL %d statements, %d missing, %d branches, %d partial: %s%% covered"):format(
      t.statements,
      t.missing_lines,
      t.branches,
      t.partial_branches,
      t.percent_covered_display
    ))
    add("")
    if #a.modules == 0 then
      add(("No module is below %s%%."):format(a.threshold))
    else
      local module_width = #"Module"
      for _, m in ipairs(a.modules) do
        module_width = math.max(module_width, width(m.path) + (m.stale and 1 or 0))
      end
      add(("%s  %s  %s  %s  %s  %s  %s  %s"):format(
        left("#", 2), left("Module", module_width),
        right("Stmts", 5), right("Miss", 5), right("Branch", 6), right("BrPart", 6),
        right("Cover", 5), right("Risk", 7)
      ))
      for _, m in ipairs(a.modules) do
        local s = m.summary
        local filename = join_path(a.root, m.path)
        add(("%s  %s  %s  %s  %s  %s  %s  %s"):format(
          left(tostring(m.rank), 2), left(m.path .. (m.stale and "*" or ""), module_width),
          right(s.statements, 5), right(s.missing_lines, 5), right(s.branches, 6),
          right(s.partial_branches, 6), right(s.percent_covered_display .. "%", 5),
          right(("%.1f"):format(m.risk), 7)
        ), { filename = filename, lnum = 1 })
        local name_width = 0
        for _, f in ipairs(m.functions) do
          name_width = math.max(name_width, width(f.name))
        end
        for _, f in ipairs(m.functions) do
          add("     " .. function_text(f, name_width, 4), { filename = filename, lnum = f.line })
          items[#items + 1] = {
            filename = filename,
            lnum = f.line,
            end_lnum = f.end_line,
            text = m.module .. " · " .. function_text(f, 0, 0),
          }
        end
        if #(m.module_level_uncovered_lines or {}) > 0 then
          local first = m.module_level_uncovered_lines[1][1]
          local text = "module level  lines " .. ranges_text(m.module_level_uncovered_lines)
          add("     " .. text, { filename = filename, lnum = first })
          items[#items + 1] = { filename = filename, lnum = first, text = m.module .. " · " .. text }
        end
      end
      for _, m in ipairs(a.modules) do
        if m.stale then
          add("* stale: the file changed after coverage was recorded")
          break
        end
      end
    end
    for _, w in ipairs(a.warnings or {}) do
      add("warning: " .. (w.path and (w.path .. ": ") or "") .. w.message)
    end
  end
  add("")
  add("<CR> opens the place under the cursor · q closes · :copen lists the functions")
  return lines, where, items
end

--- Items for the quickfix list from the answer of `testgap.leastCovered`.
function M.gap_items(gaps)
  local items = {}
  for _, g in ipairs(gaps) do
    items[#items + 1] = {
      filename = g.path,
      lnum = g.line,
      end_lnum = g.endLine,
      text = ("%s · %s · %s%% covered, %d statement%s never run"):format(
        g.name, g.module, g.percentDisplay, g.missingStatements, g.missingStatements == 1 and "" or "s"
      ),
    }
  end
  return items
end

local function jump(bufnr)
  local location = (locations[bufnr] or {})[vim.api.nvim_win_get_cursor(0)[1]]
  if not location then
    return
  end
  if #vim.api.nvim_tabpage_list_wins(0) > 1 then
    vim.cmd("wincmd p")
  else
    vim.cmd("aboveleft split")
  end
  local command = (vim.bo.modified and not vim.o.hidden) and "split " or "edit "
  vim.cmd(command .. vim.fn.fnameescape(location.filename))
  pcall(vim.api.nvim_win_set_cursor, 0, { location.lnum, 0 })
end

local function scratch_buffer()
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(bufnr) == M.buffer_name then
      return bufnr
    end
  end
  local bufnr = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(bufnr, M.buffer_name)
  vim.bo[bufnr].filetype = "testgap"
  vim.keymap.set("n", "<CR>", function()
    jump(bufnr)
  end, { buffer = bufnr, desc = "testgap: open the place under the cursor" })
  vim.keymap.set("n", "q", function()
    pcall(vim.cmd, "close")
  end, { buffer = bufnr, desc = "testgap: close the audit" })
  return bufnr
end

--- Shows an audit answer: one audit, or a list of them (several roots).
function M.show(result)
  local audits = result.schema_version and { result } or result
  local lines, where, items = M.render(audits)
  local bufnr = scratch_buffer()
  locations[bufnr] = where
  vim.bo[bufnr].modifiable = true
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].modifiable = false
  vim.fn.setqflist({}, " ", { title = M.quickfix_title, items = items })
  local window = vim.fn.bufwinid(bufnr)
  if window == -1 then
    vim.cmd(("botright %dsplit"):format(math.min(#lines, 20)))
    window = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(window, bufnr)
    vim.wo[window].number = false
    vim.wo[window].relativenumber = false
    vim.wo[window].signcolumn = "no"
    vim.wo[window].wrap = false
  end
  vim.api.nvim_set_current_win(window)
  vim.api.nvim_win_set_cursor(window, { 1, 0 })
end

return M
