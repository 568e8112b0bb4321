//! Issuer names that try to break out of their place: an HTML script, a path, quotes and pipes,
//! Chinese only, and a very long name. Every output escapes them and every file name stays a
//! plain name inside the output folder.

use crate::{fixture, root, xjscan};

#[test]
fn hostile_issuer_names_are_escaped_everywhere_and_file_names_stay_plain() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = xjscan(&root())
        .args([
            "scan",
            "tests/fixtures/hostile/portfolio.csv",
            "--letters",
            "--mappings",
        ])
        .arg(fixture("hostile/mappings"))
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            assert!(e.file_type().unwrap().is_file(), "only files are written");
            e.file_name().into_string().unwrap()
        })
        .collect();
    names.sort();
    for n in &names {
        assert!(
            n.len() <= 80
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
            "unsafe file name {n}"
        );
    }
    assert_eq!(
        names.iter().filter(|n| n.starts_with("letter-")).count(),
        10
    );
    assert!(
        names.contains(&"letter-03-etc-passwd-ltd.md".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"letter-01-hostile-chinese.md".to_string()),
        "{names:?}"
    );
    // Nothing escaped the folder.
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the output folder is in the temporary folder"
    );

    let read = |name: &str| std::fs::read_to_string(out_dir.join(name)).unwrap();
    for html in ["report.html", "letter-04-script-alert-1-script-co.html"] {
        let text = read(html);
        assert!(
            !text.contains("<script>alert"),
            "{html} carries a live script"
        );
        assert!(
            text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"),
            "{html} does not show the name escaped"
        );
        assert!(!text.contains("\"Quoted\""), "{html}: quotes unescaped");
    }
    for md in ["report.md", "letter-04-script-alert-1-script-co.md"] {
        let text = read(md);
        assert!(!text.contains("<script>"), "{md} carries raw HTML");
        assert!(text.contains(r"\<script\>alert(1)\</script\> & Co"), "{md}");
    }
    // The report's Markdown tables keep their columns: the pipe in a name is escaped.
    assert!(read("report.md").contains(r#"A/B\\C "Quoted" \| Pipe Co"#));
    // JSON carries the name as data, exactly.
    let json: serde_json::Value = serde_json::from_str(&read("report.json")).unwrap();
    let names_in_json: Vec<&str> = json["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names_in_json.contains(&"<script>alert(1)</script> & Co"));
}
