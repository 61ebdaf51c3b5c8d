/**
 * Turns a request-target into path segments the way the service reads it: the query is ignored,
 * repeated and trailing slashes do not matter (the JS SDK sends `//latest/...`; a leaf with a
 * trailing slash is the leaf), and each segment is percent-decoded on its own so an encoded `/`
 * stays inside its segment. `.` and `..` are names like any other (and name nothing), never
 * steps up the tree. An absolute-form target (`http://host/path`, as sent through a proxy) is read
 * for its path.
 */
export function targetSegments(target: string): string[] | undefined {
  let path = target;
  if (!path.startsWith('/')) {
    const match = /^https?:\/\/[^/?#]*/i.exec(path);
    if (!match) return undefined;
    path = path.slice(match[0].length) || '/';
  }
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw.length === 0) continue;
    if (!raw.includes('%')) {
      segments.push(raw);
      continue;
    }
    try {
      segments.push(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
  }
  return segments;
}
