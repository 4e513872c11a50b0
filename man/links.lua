-- A pandoc filter for tend.yaml(5), made from docs/config.md: its headings
-- one level up, and a link to another
-- of tend's documents becomes its text and where that document is installed,
-- since a man page cannot follow a relative link.
local docdir = "/usr/share/doc/tend/docs/"
-- docs/config.md's one level-1 heading is its title, which the man page has
-- in its header; the sections below it move one level up (## is .SH).
function Header(h)
  if h.level == 1 then
    return {}
  end
  h.level = h.level - 1
  return h
end

function Link(l)
  local target = l.target
  if target:match("^%a[%w+.-]*:") or target:match("^#") then
    return l
  end
  local file = target:gsub("#.*$", "")
  local text = pandoc.utils.stringify(l.content)
  if text:find(file, 1, true) then
    return pandoc.Code(docdir .. file)
  end
  local out = l.content
  table.insert(out, pandoc.Str(" ("))
  table.insert(out, pandoc.Code(docdir .. file))
  table.insert(out, pandoc.Str(")"))
  return out
end

-- tbl's columns as pandoc sizes them (70 ens in all, the same share each,
-- plus the gaps) are wider than an 80-column terminal leaves beside the
-- section's indent, and a key longer than its column cannot be broken.
-- Each column gets its longest word, and what is left of 62 ens goes by
-- how much text each column holds; code in a cell may break after a "."
-- or "/" (roff's \: marks where), so that error_detection.monitoring_interval
-- needs no column of its own width.
local TOTAL = 62

local function breakable_code(c)
  local s = c.text:gsub("\\", "\\e"):gsub("%-", "\\-")
  s = s:gsub("^([.'])", "\\&%1"):gsub("([./])", "%1\\:")
  return pandoc.RawInline("man", "\\f[V]" .. s .. "\\f[R]")
end

local function each_cell(t, fn)
  local function rows(list)
    for _, row in ipairs(list) do
      for j, cell in ipairs(row.cells) do
        fn(j, pandoc.utils.stringify(cell.contents))
      end
    end
  end
  rows(t.head.rows)
  for _, body in ipairs(t.bodies) do
    rows(body.body)
  end
end

function Table(t)
  local n = #t.colspecs
  local word, text = {}, {}
  for j = 1, n do
    word[j], text[j] = 1, 1
  end
  each_cell(t, function(j, s)
    for w in s:gmatch("[^%s./]+") do
      word[j] = math.max(word[j], math.min(#w + 2, 30))
    end
    text[j] = text[j] + #s
  end)
  local used, all = 0, 0
  for j = 1, n do
    used = used + word[j]
    all = all + text[j]
  end
  local left = math.max(TOTAL - used, 0)
  for j = 1, n do
    local w = word[j] + left * text[j] / all
    t.colspecs[j] = { t.colspecs[j][1], w / 70 }
  end
  -- Ragged right and no hyphens in the table: a narrow cell cannot be
  -- justified, and a key hyphenated reads as another.
  return {
    pandoc.RawBlock("man", ".ad l\n.nh"),
    pandoc.walk_block(t, { Code = breakable_code }),
    pandoc.RawBlock("man", ".ad b\n.hy"),
  }
end
