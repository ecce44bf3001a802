//! The domain's modules form layers: none imports, directly or through others, one that
//! imports it. Checked from the source, so a new `use` that closes a loop fails `make test`.

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Each top-level domain module and the source of its files, tests left out.
    fn modules() -> BTreeMap<String, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
        let mut out: BTreeMap<String, String> = BTreeMap::new();
        let mut walk = vec![dir.clone()];
        while let Some(d) = walk.pop() {
            for e in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
                let p = e.path();
                if p.is_dir() {
                    walk.push(p);
                    continue;
                }
                let rel = p.strip_prefix(&dir).unwrap().with_extension("");
                let top = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
                if top == "mod" || p.file_name().is_some_and(|f| f == "tests.rs") {
                    continue;
                }
                let src = std::fs::read_to_string(&p).unwrap();
                // Unit tests may use anything: they are not the module's dependencies.
                let src = src.split("#[cfg(test)]").next().unwrap_or_default().to_owned();
                out.entry(top).or_default().push_str(&src);
            }
        }
        out
    }

    /// The names right after `domain::` / `super::`, and inside `use crate::domain::{…}` groups.
    fn named(src: &str) -> BTreeSet<String> {
        let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
        let mut out = BTreeSet::new();
        for prefix in ["domain::", "super::"] {
            for (i, _) in src.match_indices(prefix) {
                let rest = &src[i + prefix.len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // The whole group, nested braces included: its top-level names.
                    let (mut depth, mut top) = (0, String::new());
                    for c in group.chars() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            _ if depth == 0 => top.push(c),
                            _ => {}
                        }
                    }
                    out.extend(top.split(',').map(|t| ident(t.trim())));
                } else {
                    out.insert(ident(rest));
                }
            }
        }
        out
    }

    #[test]
    fn domain_modules_import_no_cycle() {
        let mods = modules();
        assert!(mods.len() > 20 && mods.contains_key("checkin"), "read the domain: {:?}", mods.keys());
        let deps: BTreeMap<&str, BTreeSet<&str>> = mods
            .iter()
            .map(|(m, src)| {
                let n = named(src);
                (m.as_str(), mods.keys().map(String::as_str).filter(|d| *d != m && n.contains(*d)).collect())
            })
            .collect();
        // Depth-first: a module met again while still on the path closes a cycle.
        fn visit<'a>(
            m: &'a str,
            deps: &BTreeMap<&'a str, BTreeSet<&'a str>>,
            path: &mut Vec<&'a str>,
            done: &mut BTreeSet<&'a str>,
        ) -> Option<Vec<&'a str>> {
            if let Some(at) = path.iter().position(|p| *p == m) {
                let mut cycle = path[at..].to_vec();
                cycle.push(m);
                return Some(cycle);
            }
            if !done.insert(m) {
                return None;
            }
            path.push(m);
            let found = deps[m].iter().find_map(|d| visit(d, deps, path, done));
            path.pop();
            found
        }
        let mut done = BTreeSet::new();
        for m in deps.keys() {
            if let Some(cycle) = visit(m, &deps, &mut Vec::new(), &mut done) {
                panic!("domain modules import each other in a cycle: {}", cycle.join(" → "));
            }
        }
    }

    #[test]
    fn a_cycle_is_seen() {
        let named = named("use crate::domain::{person::{Person, HOME}, checkin};\nsuper::desk::x();");
        assert!(["person", "checkin", "desk"].iter().all(|m| named.contains(*m)), "{named:?}");
        assert!(!named.contains("Person") && !named.contains("HOME"));
    }
}
