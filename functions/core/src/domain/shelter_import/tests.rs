use super::read::parse;
use super::*;
use crate::domain::open_data::FileError;
use bosai_store::sqlite::SqliteStore;
use bosai_types::shelter_import::{Hazard, ImportFormat, ShelterKind, TextEncoding};
use bosai_types::ShelterId;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/opendata/", $name)).as_slice()
    };
}

fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

const T: Timestamp = Timestamp(1_764_000_000_000);

#[test]
fn utsunomiya_open_data_row_in_both_encodings() {
    for (bytes, enc) in [
        (fixture!("utsunomiya-ods-sites.utf8.csv"), TextEncoding::Utf8),
        (fixture!("utsunomiya-ods-sites.sjis.csv"), TextEncoding::ShiftJis),
    ] {
        let p = parse(bytes, &code("092011")).unwrap();
        assert_eq!((p.format, p.encoding, p.total_rows), (ImportFormat::OpenDataEvacuationSites, enc, 1));
        assert_eq!(p.errors, vec![]);
        let r = &p.rows[0];
        assert_eq!(r.id.as_str(), "092011-1", "the code without its leading zero is completed");
        assert_eq!((r.name_ja.as_str(), r.address_ja.as_str()), ("中央小学校", "栃木県宇都宮市中央本町1-29"));
        assert_eq!((r.location.lat(), r.location.lon()), (36.55925966, 139.8847723));
        assert_eq!(r.hazards, vec![Hazard::Flood, Hazard::Landslide, Hazard::Earthquake]);
        assert_eq!((r.kind, r.capacity, r.name_en.clone()), (ShelterKind::Both, None, None));
    }
}

#[test]
fn gsi_rows_take_the_municipality_from_the_common_id() {
    let utf8 = parse(fixture!("chiyoda-gsi-sites.utf8.csv"), &code("131016")).unwrap();
    let sjis = parse(fixture!("chiyoda-gsi-sites.sjis.csv"), &code("131016")).unwrap();
    assert_eq!((utf8.format, sjis.encoding), (ImportFormat::GsiEvacuationSites, TextEncoding::ShiftJis));
    assert_eq!(utf8.rows, sjis.rows, "the same rows whatever the encoding");
    let r = &utf8.rows[0];
    assert_eq!((r.id.as_str(), r.name_ja.as_str(), r.kind), ("131016-e1310100002201", "番町小学校", ShelterKind::Both));
    assert_eq!(r.hazards, vec![Hazard::Flood, Hazard::StormSurge, Hazard::Earthquake, Hazard::InlandFlood]);

    let sapporo = parse(fixture!("sapporo-gsi-sites.bom.csv"), &code("011002")).unwrap();
    assert_eq!((sapporo.encoding, sapporo.errors, sapporo.rows.len()), (TextEncoding::Utf8Bom, vec![], 2));
    assert_eq!(
        sapporo.rows.iter().map(|r| r.kind).collect::<Vec<_>>(),
        vec![ShelterKind::Both, ShelterKind::EvacuationSite]
    );
    assert_eq!(sapporo.rows[1].hazards, vec![Hazard::LargeFire]);

    let elsewhere = parse(fixture!("chiyoda-gsi-sites.utf8.csv"), &code("041009")).unwrap();
    assert_eq!(elsewhere.rows, vec![]);
    assert_eq!(elsewhere.errors[0].line, 2);
    assert!(elsewhere.errors[0].reason.contains("131016, not 041009"), "{:?}", elsewhere.errors);
}

#[test]
fn whole_files_that_cannot_be_read_are_refused_with_the_reason() {
    let m = code("131016");
    let err = |b: &[u8]| parse(b, &m).err().map(|e| e.code());
    assert_eq!(err(fixture!("chiyoda-gsi-sites.mojibake.csv")), Some("garbled_text"));
    assert_eq!(err(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe\x80\x81"), Some("unreadable_encoding"));
    assert_eq!(err(b"  \r\n"), Some("empty_file"));
    assert_eq!(err("name,lat,lon\r\nA,35,139\r\n".as_bytes()), Some("unknown_header"));
    assert_eq!(
        parse("全国地方公共団体コード,ID,名称,緯度\r\n".as_bytes(), &m).err(),
        Some(FileError::MissingColumn("経度"))
    );
}

#[test]
fn every_bad_row_is_reported_with_line_and_column() {
    let csv = "全国地方公共団体コード,ID,名称,緯度,経度,想定収容人数,災害種別_津波\r\n\
        041009,a1,片平丁小学校,38.2553,140.8697,400,1\r\n\
        041009,a2,北緯の学校,北緯38度,140.8,,\r\n\
        041009,a3,逆の学校,140.8,38.2,,\r\n\
        041009,a4,海外の学校,51.5,-0.12,,\r\n\
        041009,A1,重複の学校,38.2,140.8,,\r\n\
        041009,a6,,38.2,140.8,たくさん,x\r\n\
        041009,a7,\"改行\n入り\",38.2,140.8\r\n\
        092011,a8,隣町の学校,38.2,140.8,,\r\n\
        ４１００９,a9,全角の学校,３８．２,１４０．８,１，２００人,\r\n";
    let p = parse(csv.as_bytes(), &code("041009")).unwrap();
    let got: Vec<(u32, Option<&str>)> = p.errors.iter().map(|e| (e.line, e.column.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            (3, Some("緯度")),
            (4, Some("緯度")),
            (5, Some("緯度")),
            (6, Some("ID")),
            (7, Some("名称")),
            (7, Some("想定収容人数")),
            (7, Some("災害種別_津波")),
            (8, Some("想定収容人数")),
            (8, Some("名称")),
            (10, Some("全国地方公共団体コード")),
        ],
        "{:#?}",
        p.errors
    );
    assert!(p.errors[1].reason.contains("swapped"));
    assert!(p.errors[2].reason.contains("outside Japan"));
    assert!(p.errors[3].reason_ja.contains("2行目と重複"), "A1 and a1 are the same shelter id");
    let ok: Vec<_> = p.rows.iter().map(|r| (r.id.as_str(), r.capacity)).collect();
    assert_eq!(
        ok,
        vec![("041009-a1", Some(400)), ("041009-a9", Some(1200))],
        "full-width numbers and a dropped leading zero are read"
    );
    assert_eq!(p.errors.last().unwrap().line, 10, "a record with a line break inside counts both lines");
}

async fn stored(store: &SqliteStore) -> Vec<StoredShelter> {
    shelters::stored_of(store, &code("092011")).await.unwrap()
}

#[tokio::test]
async fn preview_writes_nothing_and_apply_creates_closed_shelters() {
    let store = SqliteStore::in_memory().unwrap();
    let m = code("092011");
    let preview = import(&store, &m, fixture!("utsunomiya-ods-sites.sjis.csv"), false, T).await.unwrap();
    assert_eq!((preview.applied, preview.count(ChangeKind::New)), (false, 1));
    assert_eq!(preview.warnings.len(), 1, "blank capacity is worth a look");
    assert!(stored(&store).await.is_empty());

    let applied = import(&store, &m, fixture!("utsunomiya-ods-sites.sjis.csv"), true, T).await.unwrap();
    assert!(applied.applied);
    let s = &stored(&store).await[0].shelter;
    assert_eq!((s.status, s.occupancy, s.kind), (ShelterStatus::Closed, 0, ShelterKind::Both));
    assert_eq!(shelters::list(&store, &m).await.unwrap().len(), 1);

    let again = import(&store, &m, fixture!("utsunomiya-ods-sites.utf8.csv"), true, T).await.unwrap();
    assert_eq!(again.count(ChangeKind::Unchanged), 1, "the same data in another encoding changes nothing");
}

#[tokio::test]
async fn an_invalid_row_means_nothing_is_written() {
    let store = SqliteStore::in_memory().unwrap();
    let csv = "全国地方公共団体コード,ID,名称,緯度,経度\r\n092011,1,良い行,36.5,139.8\r\n092011,2,悪い行,36.5,\r\n";
    let r = import(&store, &code("092011"), csv.as_bytes(), true, T).await.unwrap();
    assert_eq!((r.applied, r.errors.len(), r.errors[0].line), (false, 1, 3));
    assert!(stored(&store).await.is_empty());
}

#[tokio::test]
async fn reimport_updates_the_description_keeps_status_and_people_and_retires_the_missing() {
    let store = SqliteStore::in_memory().unwrap();
    let m = code("092011");
    let v1 = "全国地方公共団体コード,ID,名称,緯度,経度,想定収容人数\r\n092011,1,中央小学校,36.5,139.8,300\r\n092011,2,東小学校,36.6,139.9,200\r\n092011,3,西公園,36.4,139.7,50\r\n";
    import(&store, &m, v1.as_bytes(), true, T).await.unwrap();
    // Staff open school 1 and check 120 people in; school 2 has 5 people when it leaves the list.
    let one = ShelterId::parse("092011-1").unwrap();
    let two = ShelterId::parse("092011-2").unwrap();
    store.update(&keys::shelter(&one), Update::new().set("status", Value::s("open")), None).await.unwrap();
    store.update(&keys::headcount(&one), Update::new().add("occupancy", 120), None).await.unwrap();
    store.update(&keys::headcount(&two), Update::new().add("occupancy", 5), None).await.unwrap();

    let v2 = "全国地方公共団体コード,ID,名称,緯度,経度,想定収容人数\r\n092011,1,中央小学校（体育館）,36.5,139.8,\r\n092011,4,北小学校,36.7,139.8,250\r\n";
    let r = import(&store, &m, v2.as_bytes(), true, T).await.unwrap();
    let kinds: Vec<_> = r.changes.iter().map(|c| (c.id.as_str(), c.change, c.fields.clone())).collect();
    assert_eq!(
        kinds,
        vec![
            ("092011-1", ChangeKind::Updated, vec!["name_ja".to_owned()]),
            ("092011-4", ChangeKind::New, vec![]),
            ("092011-2", ChangeKind::Retired, vec![]),
            ("092011-3", ChangeKind::Retired, vec![]),
        ]
    );
    assert!(r.warnings.iter().any(|w| w.reason.contains("5 people are still checked in")), "{:?}", r.warnings);
    let one_now = shelters::get(&store, &one).await.unwrap();
    assert_eq!(
        (one_now.name_ja.as_str(), one_now.status, one_now.occupancy, one_now.capacity),
        ("中央小学校（体育館）", ShelterStatus::Open, 120, 300)
    );
    let public: Vec<_> = shelters::list(&store, &m).await.unwrap().into_iter().map(|s| s.id.to_string()).collect();
    assert_eq!(public, vec!["092011-1", "092011-4"], "retired shelters are hidden from residents");
    let hq: Vec<_> =
        shelters::list_with_counters(&store, &m).await.unwrap().into_iter().map(|(s, _)| s.id.to_string()).collect();
    assert_eq!(hq, vec!["092011-1", "092011-2", "092011-4"], "HQ still counts the people in a retired shelter");
    assert_eq!(stored(&store).await.len(), 4, "nothing is deleted");

    let back = import(&store, &m, v1.as_bytes(), true, T).await.unwrap();
    assert_eq!(back.changes.iter().filter(|c| c.change == ChangeKind::Restored).count(), 2);
    assert_eq!(
        shelters::get(&store, &two).await.unwrap().status,
        ShelterStatus::Closed,
        "restored closed: HQ reopens it"
    );
}

#[test]
fn local_government_codes_as_spreadsheets_leave_them() {
    let read = |raw: &str, expected: &str| {
        crate::domain::open_data::municipality_code(raw, &code(expected)).map(|c| c.to_string())
    };
    assert_eq!(read("131016", "041009").as_deref(), Some("131016"));
    assert_eq!(read("13101", "131016").as_deref(), Some("131016"), "JIS X 0402 without check digit");
    assert_eq!(read("92011", "092011").as_deref(), Some("092011"), "leading zero dropped by Excel");
    assert_eq!(read("1100", "011002").as_deref(), Some("011002"), "both");
    assert_eq!(read("４１００９", "041009").as_deref(), Some("041009"), "full-width digits");
    assert_eq!(read("131017", "131016"), None, "wrong check digit");
    assert_eq!(read("99999", "131016"), None, "no prefecture 99");
    assert_eq!(read("仙台市", "041009"), None);
}
