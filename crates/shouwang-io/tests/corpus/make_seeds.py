"""Writes the seed files of the reader's fuzz tests (run from this folder; the files are kept in
the repository, this script only says how they were made)."""
import datetime
import zipfile

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id(first17):
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, W)) % 11]


A = make_id("51082119500304123")
B = make_id("51082119520611124")
C = make_id("51082120100101125")
HEADER = ["县(市、区、旗)", "乡（镇）", "行政村", "户编号", "姓名", "性别", "证件号码", "出生日期",
          "与户主关系", "文化程度", "健康状况", "户主姓名", "户主证件号码", "年度", "家庭纯收入", "备注"]
ROWS = [
    ["旺苍县", "东河镇", "桃红村村民委员会", "5108210001", "王德明", "男", A, "1950-03-04", "户主",
     "初中", "健康", "王德明", A, "2025", "12000.50", ""],
    ["旺苍县", "东河镇", "桃红村村民委员会", "5108210001", "李秀英", "女", B, "19520611", "配偶",
     "小学", "长期慢性病", "王德明", A, "2025", "12000.50", "多病"],
    ["旺苍县", "东河镇", "龙凤村村民委员会", "5108210002", "张小明", "男", C, "2010/01/01", "户主",
     "初中", "健康", "张小明", C, "2025", "8000", ""],
]


def csv_text(sep=","):
    # the delimiter is told from the first line: a tab-separated file starts with its header
    title = ["（自定义）监测对象信息", "导出时间：2025-11-20 10:00:00"] if sep == "," else []
    lines = title + [sep.join(HEADER)]
    lines += [sep.join(r) for r in ROWS]
    return "\n".join(lines) + "\n"


open("ledger-utf8.csv", "w", encoding="utf-8").write(csv_text())
open("ledger-gb18030.csv", "wb").write(csv_text().encode("gb18030"))
open("ledger-bom-tabs.csv", "wb").write(b"\xef\xbb\xbf" + csv_text("\t").encode("utf-8"))
quoted = csv_text().replace("多病", '"多病, 常年""服药""\n需照顾"')
open("ledger-quoted.csv", "w", encoding="utf-8").write(quoted)

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def workbook(path, sheet, shared=None, styles=None):
    z = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} xmlns:r="{REL}"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {NS}><sheetData>{sheet}</sheetData></worksheet>')
    if shared is not None:
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {NS} count="{len(shared)}" uniqueCount="{len(shared)}">{"".join(shared)}</sst>')
    if styles is not None:
        z.writestr("xl/styles.xml", styles)
    z.close()


def inline_rows():
    out = [f'<row r="1"><c r="A1" t="inlineStr"><is><t>户人台账</t></is></c></row>']
    for r, row in enumerate([HEADER] + ROWS, start=2):
        cells = []
        for i, v in enumerate(row):
            ref = f"{col(i)}{r}"
            if HEADER[i] == "家庭纯收入" and r > 2:
                cells.append(f'<c r="{ref}"><f>SUM(1,1)</f><v>{v}</v></c>')
            elif HEADER[i] == "年度" and r > 2:
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif v:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{esc(v)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append('<row r="7"><c r="A7" t="b"><v>1</v></c><c r="B7" t="e"><v>#N/A</v></c><c r="C7" t="str"><v>x</v></c></row>')
    return "".join(out)


workbook("seed-inline.xlsx", inline_rows())

STYLES = f'<?xml version="1.0"?><styleSheet {NS}><numFmts count="0"/><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
shared = []
index = {}


def s(v):
    if v not in index:
        index[v] = len(shared)
        if v == "王德明":
            shared.append('<si><r><rPr><b/></rPr><t>王</t></r><r><t>德明</t></r><rPh><t>wang</t></rPh></si>')
        else:
            shared.append(f'<si><t xml:space="preserve">{esc(v)}</t></si>')
    return index[v]


rows = []
for r, row in enumerate([HEADER] + ROWS, start=1):
    cells = []
    for i, v in enumerate(row):
        ref = f"{col(i)}{r}"
        if HEADER[i] == "出生日期" and r > 1:
            born = datetime.date(int(row[6][6:10]), int(row[6][10:12]), int(row[6][12:14]))
            serial = (born - datetime.date(1899, 12, 30)).days
            cells.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
        elif v:
            cells.append(f'<c r="{ref}" t="s"><v>{s(v)}</v></c>')
    rows.append(f'<row r="{r}">{"".join(cells)}</row>')
workbook("seed-shared.xlsx", "".join(rows), shared, STYLES)

# files that once made the reader fail, named after what they found
workbook("crash-cell-reference-overflow.xlsx",
         '<row r="1"><c r="A1" t="inlineStr"><is><t>证件号码</t></is></c></row>'
         '<row><c r="NaaaAAa" s="0"><v></v></c></row>')

# department data files (部门数据, FORMATS.md §2): a 医保 settlement list under a title row, with
# an ID number in scientific notation, a bad amount, a quoted name and a person's two settlements
MED_HEADER = ["证件号码", "姓名", "结算日期", "医疗总费用", "合规自付"]
MED_ROWS = [
    [A, "王德明", "2026-10-05", "8000.00", "1234.50"],
    [B, '李秀英, "二"', "2026/10/6", "", "300"],
    ["5.10821195003041E+17", "张小明", "20261007", "10", "10"],
    [A, "王德明", "2026年10月9日", "100", "ten"],
]


def med_csv():
    def q(v):
        return '"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v
    lines = ["2026年10月医保结算明细", ",".join(MED_HEADER)]
    lines += [",".join(q(v) for v in r) for r in MED_ROWS]
    return "\n".join(lines) + "\n"


open("department/dept-medical.csv", "w", encoding="utf-8").write(med_csv())
open("department/dept-medical-gb18030.csv", "wb").write(med_csv().encode("gb18030"))


def med_sheet():
    out = ['<row r="1"><c r="A1" t="inlineStr"><is><t>医保结算明细</t></is></c></row>']
    for r, row in enumerate([MED_HEADER] + MED_ROWS, start=2):
        cells = []
        for i, v in enumerate(row):
            ref = f"{col(i)}{r}"
            if r > 2 and i == 0 and v == B:
                # an ID number typed as a number: its last digits lost
                cells.append(f'<c r="{ref}"><v>{float(v[:17] + "0"):.15E}</v></c>')
            elif r > 2 and i == 2 and v == "2026-10-05":
                serial = (datetime.date(2026, 10, 5) - datetime.date(1899, 12, 30)).days
                cells.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
            elif r > 2 and i in (3, 4) and v.replace(".", "").isdigit():
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif v:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{esc(v)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


workbook("department/dept-medical.xlsx", med_sheet(), None, STYLES)
