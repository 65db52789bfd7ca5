-- briefgen's citeproc worker, run as `pandoc lua citeproc.lua` (see briefgen/citeproc.py).
-- One Pandoc JSON document a line in, the same document with its citations formatted a line
-- out; a document Pandoc cannot process comes back as {"error": "..."}, and the worker reads on.
for line in io.lines() do
  local ok, result = pcall(function()
    return pandoc.write(pandoc.utils.citeproc(pandoc.read(line, 'json')), 'json')
  end)
  if ok then
    io.write(result, '\n')
  else
    io.write(pandoc.json.encode({error = tostring(result)}), '\n')
  end
  io.stdout:flush()
end
