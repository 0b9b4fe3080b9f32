// The strings catalogue's check (console/strings.js): every key has a
// French, a Dutch and an English text, none empty, no language the console
// does not speak; every key index.html, journal.html or a script of console/
// (app.js, ui.js, each role's pages, journal.js) uses exists; and the
// placeholders ({status}) of a key are the same in each language.
//   node catalogue.mjs [console dir]      exit 1 and one line per fault
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export async function checkCatalogue(dir) {
  const faults = [];
  const { strings, languages } = await import(pathToFileURL(resolve(dir, "strings.js")).href);
  const wanted = ["fr", "nl", "en"];
  if (JSON.stringify([...languages].sort()) !== JSON.stringify([...wanted].sort()))
    faults.push(`languages is ${JSON.stringify(languages)}, not fr, nl, en`);
  const holes = (s) => (s.match(/\{[a-z]+\}/g) || []).sort().join(",");
  for (const [key, entry] of Object.entries(strings)) {
    for (const lang of wanted) {
      const text = entry[lang];
      if (typeof text !== "string" || text.trim() === "")
        faults.push(`${key}: no ${lang} text`);
    }
    for (const lang of Object.keys(entry))
      if (!wanted.includes(lang)) faults.push(`${key}: a language the console does not speak: ${lang}`);
    if (wanted.every((l) => typeof entry[l] === "string")) {
      const en = holes(entry.en);
      for (const lang of ["fr", "nl"])
        if (holes(entry[lang]) !== en)
          faults.push(`${key}: placeholders of ${lang} (${holes(entry[lang])}) differ from en (${en})`);
    }
  }
  const used = new Set();
  // The console and the person's journal (journal.html, journal.js).
  for (const page of ["index.html", "journal.html"]) {
    const html = readFileSync(resolve(dir, page), "utf8");
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) used.add(m[1]);
  }
  // Every script of the console (app.js, ui.js, each role's pages, journal.js).
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".js") && n !== "strings.js")) {
    const code = readFileSync(resolve(dir, name), "utf8");
    for (const m of code.matchAll(/\bt\("([^"]+)"/g)) used.add(m[1]);
  }
  for (const key of used) if (!(key in strings)) faults.push(`${key}: used but not in strings.js`);
  return faults;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] || new URL("../../console/", import.meta.url).pathname;
  const faults = await checkCatalogue(dir);
  for (const f of faults) console.log(`catalogue: ${f}`);
  console.log(faults.length === 0 ? "catalogue: every string in fr, nl and en" : `catalogue: ${faults.length} fault(s)`);
  process.exit(faults.length === 0 ? 0 : 1);
}
