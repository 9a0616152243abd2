//! Crafting xlsx files by hand: a zip written byte by byte, so that a test can make what no
//! spreadsheet program would (a sheet of a gigabyte packed into a few megabytes, sizes that lie)
//! without holding it in memory.

#![allow(dead_code)]

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use std::io::{self, Write};
use std::path::Path;

/// A part's content: pieces, each written `times` times in a row.
pub struct Part {
    pub name: String,
    pub pieces: Vec<(Vec<u8>, u64)>,
    /// the uncompressed size the zip declares, when it should lie
    pub declared: Option<u32>,
}

impl Part {
    pub fn new(name: &str, text: &str) -> Part {
        Part {
            name: name.into(),
            pieces: vec![(text.as_bytes().to_vec(), 1)],
            declared: None,
        }
    }

    /// `head`, then `body` `times` times, then `tail`.
    pub fn repeated(name: &str, head: &str, body: &str, times: u64, tail: &str) -> Part {
        Part {
            name: name.into(),
            pieces: vec![
                (head.as_bytes().to_vec(), 1),
                (body.as_bytes().to_vec(), times),
                (tail.as_bytes().to_vec(), 1),
            ],
            declared: None,
        }
    }

    pub fn declaring(mut self, size: u32) -> Part {
        self.declared = Some(size);
        self
    }

    pub fn size(&self) -> u64 {
        self.pieces.iter().map(|(p, n)| p.len() as u64 * n).sum()
    }
}

/// A piece compressed on its own and flushed to a byte boundary, so that copies of it can follow
/// one another in one deflate stream.
fn deflate_piece(piece: &[u8]) -> io::Result<Vec<u8>> {
    let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
    e.write_all(piece)?;
    e.flush()?;
    Ok(std::mem::take(e.get_mut()))
}

/// The empty last block that ends a deflate stream.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

struct Entry {
    name: String,
    crc: u32,
    compressed: u32,
    declared: u32,
    offset: u32,
}

/// Writes `parts` as a zip at `path`, deflated, in memory bounded by the largest piece.
pub fn write_zip(path: &Path, parts: &[Part]) -> io::Result<()> {
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    let mut offset = 0u64;
    let mut entries = Vec::new();
    for part in parts {
        let mut crc = Crc::new();
        let mut compressed = Vec::new();
        for (piece, times) in &part.pieces {
            let packed = deflate_piece(piece)?;
            for _ in 0..*times {
                crc.update(piece);
            }
            compressed.push((packed, *times));
        }
        let csize: u64 = compressed
            .iter()
            .map(|(p, n)| p.len() as u64 * n)
            .sum::<u64>()
            + FINAL_BLOCK.len() as u64;
        let declared = part
            .declared
            .unwrap_or(u32::try_from(part.size()).map_err(io::Error::other)?);
        let entry = Entry {
            name: part.name.clone(),
            crc: crc.sum(),
            compressed: u32::try_from(csize).map_err(io::Error::other)?,
            declared,
            offset: u32::try_from(offset).map_err(io::Error::other)?,
        };
        let mut header = Vec::new();
        header.extend(0x0403_4b50u32.to_le_bytes());
        header.extend(20u16.to_le_bytes());
        header.extend(0u16.to_le_bytes()); // flags
        header.extend(8u16.to_le_bytes()); // deflate
        header.extend(0u16.to_le_bytes()); // time
        header.extend(0x21u16.to_le_bytes()); // 1980-01-01
        header.extend(entry.crc.to_le_bytes());
        header.extend(entry.compressed.to_le_bytes());
        header.extend(entry.declared.to_le_bytes());
        header.extend((entry.name.len() as u16).to_le_bytes());
        header.extend(0u16.to_le_bytes());
        header.extend(entry.name.as_bytes());
        out.write_all(&header)?;
        for (packed, times) in &compressed {
            for _ in 0..*times {
                out.write_all(packed)?;
            }
        }
        out.write_all(&FINAL_BLOCK)?;
        offset += header.len() as u64 + csize;
        entries.push(entry);
    }
    let start = offset;
    let mut directory = Vec::new();
    for e in &entries {
        directory.extend(0x0201_4b50u32.to_le_bytes());
        directory.extend(20u16.to_le_bytes());
        directory.extend(20u16.to_le_bytes());
        directory.extend(0u16.to_le_bytes());
        directory.extend(8u16.to_le_bytes());
        directory.extend(0u16.to_le_bytes());
        directory.extend(0x21u16.to_le_bytes());
        directory.extend(e.crc.to_le_bytes());
        directory.extend(e.compressed.to_le_bytes());
        directory.extend(e.declared.to_le_bytes());
        directory.extend((e.name.len() as u16).to_le_bytes());
        directory.extend([0u8; 12]); // extra, comment, disk, internal attributes, external (4)
        directory.extend(e.offset.to_le_bytes());
        directory.extend(e.name.as_bytes());
    }
    out.write_all(&directory)?;
    let mut end = Vec::new();
    end.extend(0x0605_4b50u32.to_le_bytes());
    end.extend([0u8; 4]);
    end.extend((entries.len() as u16).to_le_bytes());
    end.extend((entries.len() as u16).to_le_bytes());
    end.extend((directory.len() as u32).to_le_bytes());
    end.extend((start as u32).to_le_bytes());
    end.extend(0u16.to_le_bytes());
    out.write_all(&end)?;
    out.flush()
}

pub const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
pub const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// The parts of a one-sheet workbook around its sheet (and shared strings, when given).
pub fn workbook(sheet: Part, shared: Option<Part>) -> Vec<Part> {
    let mut parts = vec![
        Part::new(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        Part::new(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        Part::new(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        Part::new(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        sheet,
    ];
    parts.extend(shared);
    parts
}

/// A sheet part of the given rows' XML.
pub fn sheet(rows: &str) -> Part {
    Part::new(
        "xl/worksheets/sheet1.xml",
        &format!("{SHEET_HEAD}{rows}{SHEET_TAIL}"),
    )
}

/// An inline-string cell.
pub fn text_cell(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A row of inline-string cells from column A on.
pub fn text_row(number: usize, cells: &[&str]) -> String {
    let mut row = format!(r#"<row r="{number}">"#);
    for (i, text) in cells.iter().enumerate() {
        row.push_str(&text_cell(&format!("{}{number}", column_name(i)), text));
    }
    row.push_str("</row>");
    row
}

/// Excel's name of the 0-based column `i` (A, …, Z, AA, …).
pub fn column_name(mut i: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}
