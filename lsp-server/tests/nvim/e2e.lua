-- End-to-end check with a real editor: Neovim (0.7 or later, plain
-- vim.lsp.start_client) drives `perfi lsp` on a copy of the NAT test
-- workspace. Run headless by lsp-server/tests/nvim_e2e.rs:
--   PERFI_BIN=... PERFI_ROOT=... PERFI_OUT=... nvim --headless --clean -n -c "luafile e2e.lua"
-- Writes progress lines to $PERFI_OUT and ends with PASS, or FAIL: why.

local bin = os.getenv("PERFI_BIN")
local root = os.getenv("PERFI_ROOT")
local out = os.getenv("PERFI_OUT")
local file = root .. "/nat.c"
local TIMEOUT = 120000

local function say(msg)
  local f = io.open(out, "a")
  if f then
    f:write(msg .. "\n")
    f:close()
  end
end

local function fail(msg)
  say("FAIL: " .. msg)
  vim.cmd("cquit 1")
end

local function lines_of(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

local function find_line(bufnr, needle)
  for i, l in ipairs(lines_of(bufnr)) do
    local col = l:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  return nil
end

local function warnings(bufnr)
  local w = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.severity == vim.diagnostic.severity.WARN then
      table.insert(w, d.message)
    end
  end
  return w
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_option(bufnr, "filetype", "c")
  local original = lines_of(bufnr)

  local ready = false
  local client_id = vim.lsp.start_client({
    name = "perfi",
    cmd = { bin, "lsp", "--stdio" },
    root_dir = root,
    init_options = { perfi = { baseline = "open" } },
    flags = { debounce_text_changes = 20 },
    on_init = function() ready = true end,
  })
  if not client_id then return fail("vim.lsp.start_client returned nil") end
  if not vim.wait(30000, function() return ready end, 20) then return fail("server did not initialize") end
  vim.lsp.buf_attach_client(bufnr, client_id)
  say("initialized")

  -- Hover on a function name: its interface with the chain formula.
  local l, c = find_line(bufnr, "nat_lookup_int(struct")
  if not l then return fail("nat_lookup_int not found") end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = l, character = c + 3 } }
  local res = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, TIMEOUT)
  local text = ""
  for _, r in pairs(res or {}) do
    if r.result and r.result.contents then
      text = r.result.contents.value or ""
    end
  end
  if not (text:find("instructions", 1, true) and text:find("c_a", 1, true)) then
    return fail("hover without the formula: " .. text)
  end
  say("hover ok")

  -- No warning to begin with.
  vim.wait(2000, function() return false end, 50)
  if #warnings(bufnr) > 0 then return fail("warning before any edit: " .. warnings(bufnr)[1]) end

  -- Add work inside the loop of nat_lookup_int.
  local sl = find_line(bufnr, "st->stats.chain_steps++;")
  if not sl then return fail("loop body not found") end
  vim.api.nvim_buf_set_lines(bufnr, sl + 1, sl + 1, false, {
    "        st->stats.chain_steps = st->stats.chain_steps * 3 + 1;",
    "        st->stats.lookups = st->stats.lookups * 5 + st->stats.chain_steps;",
  })
  local got = vim.wait(TIMEOUT, function() return #warnings(bufnr) > 0 end, 20)
  if not got then return fail("no regression warning after the edit") end
  local w = warnings(bufnr)[1]
  if not (w:find("nat_lookup_int", 1, true) and w:find("slower", 1, true)) then
    return fail("unexpected warning: " .. w)
  end
  say("warning: " .. w)

  -- Undo: the text is the original again and the warning clears.
  vim.cmd("silent undo")
  if table.concat(lines_of(bufnr), "\n") ~= table.concat(original, "\n") then
    return fail("undo did not restore the text")
  end
  local cleared = vim.wait(TIMEOUT, function() return #warnings(bufnr) == 0 end, 20)
  if not cleared then return fail("warning not cleared after undo: " .. (warnings(bufnr)[1] or "")) end
  say("cleared after undo")

  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  say("PASS")
end)

if not ok then
  fail(tostring(err))
else
  vim.cmd("qa!")
end
