//! The core's edits ([`crate::edit::Edit`]) as one `WorkspaceEdit` the user
//! accepts: versioned document changes, a `CreateFile` before a new file's
//! text, positions in the negotiated encoding, each change annotated with
//! why it is made. Generate's and fix's code actions both end here.

use super::encoding::PositionEncoding;
use crate::edit::Edit;
use ropey::Rope;
use std::collections::HashMap;
use std::path::PathBuf;
use tower_lsp_server::ls_types::*;

/// A document the client has open, as an edit to it has to meet it.
#[derive(Debug, Clone)]
pub struct OpenDocument {
    pub version: i32,
    /// Its text, when it may differ from the text the edit was made from:
    /// text an edit adds at the end goes after this text (unsaved changes
    /// kept). `None`: the edit was made from this document's text.
    pub text: Option<String>,
}

/// What the client accepts in a workspace edit.
#[derive(Debug, Clone, Copy)]
pub struct ClientEdits {
    /// `CreateFile` resource operations.
    pub create_files: bool,
    pub encoding: PositionEncoding,
}

/// `edits` as one workspace edit against the documents as the client has
/// them (`open`, by path). Edits that create a file the client cannot create
/// are left out and returned, for the caller to write.
pub fn workspace_edit(
    edits: &[Edit],
    open: &HashMap<PathBuf, OpenDocument>,
    client: ClientEdits,
) -> (WorkspaceEdit, Vec<Edit>) {
    let mut operations = Vec::new();
    let mut annotations = HashMap::new();
    let mut left_over = Vec::new();
    for edit in edits {
        let note = &edit.annotation;
        annotations.insert(
            note.id.clone(),
            ChangeAnnotation {
                label: note.label.clone(),
                needs_confirmation: Some(note.needs_confirmation),
                description: note.description.clone(),
            },
        );
        let Some(uri) = Uri::from_file_path(&edit.path) else {
            continue;
        };
        if edit.creates() && !client.create_files {
            left_over.push(edit.clone());
            continue;
        }
        let id = note.id.clone();
        if edit.creates() {
            operations.push(DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                uri: uri.clone(),
                options: Some(CreateFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: Some(id.clone()),
            })));
        }
        let document = open.get(&edit.path);
        let text_edits = text_edits(edit, document, client.encoding)
            .into_iter()
            .map(|text_edit| {
                OneOf::Right(AnnotatedTextEdit {
                    text_edit,
                    annotation_id: id.clone(),
                })
            })
            .collect();
        // A new file has no version: the client has never seen it.
        let version = document.filter(|_| !edit.creates()).map(|d| d.version);
        operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
            edits: text_edits,
        }));
    }
    let edit = WorkspaceEdit {
        changes: None,
        document_changes: Some(DocumentChanges::Operations(operations)),
        change_annotations: Some(annotations),
    };
    (edit, left_over)
}

/// One edit's text edits in LSP positions.
fn text_edits(edit: &Edit, document: Option<&OpenDocument>, enc: PositionEncoding) -> Vec<TextEdit> {
    if edit.creates() {
        return vec![TextEdit {
            range: Range::default(),
            new_text: edit.text.clone(),
        }];
    }
    let original = edit.original.as_deref().unwrap_or_default();
    if let Some(appended) = edit.appended() {
        // Added at the end of the text the client has, on a line of its own.
        let current = document.and_then(|d| d.text.as_deref()).unwrap_or(original);
        let rope = Rope::from_str(current);
        let end = enc.position(&rope, rope.len_chars());
        let separator = if current.is_empty() || current.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        return vec![TextEdit {
            range: Range { start: end, end },
            new_text: format!("{separator}{appended}"),
        }];
    }
    let rope = Rope::from_str(original);
    let position = |byte: usize| enc.position(&rope, rope.byte_to_char(byte.min(rope.len_bytes())));
    edit.text_edits()
        .into_iter()
        .map(|e| TextEdit {
            range: Range {
                start: position(e.range.start),
                end: position(e.range.end),
            },
            new_text: e.new_text,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Annotation;

    const UTF8: ClientEdits = ClientEdits {
        create_files: true,
        encoding: PositionEncoding::Utf8,
    };

    fn annotated(mut edit: Edit, id: &str) -> Edit {
        edit.annotation = Annotation {
            id: id.to_string(),
            label: format!("testgap: {id}"),
            description: None,
            needs_confirmation: false,
        };
        edit
    }

    fn operations(edit: &WorkspaceEdit) -> &[DocumentChangeOperation] {
        match &edit.document_changes {
            Some(DocumentChanges::Operations(ops)) => ops,
            _ => &[],
        }
    }

    fn text_edit(op: &DocumentChangeOperation) -> (&TextDocumentEdit, &TextEdit) {
        let DocumentChangeOperation::Edit(doc) = op else {
            panic!("not a text document edit: {op:?}")
        };
        let OneOf::Right(annotated) = &doc.edits[0] else {
            panic!("not annotated: {doc:?}")
        };
        (doc, &annotated.text_edit)
    }

    #[test]
    fn appends_go_after_the_text_the_client_has() {
        let edit = Edit::append(
            "/p/tests/test_a.py".into(),
            "tests/test_a.py".into(),
            "a\n".into(),
            "b\n",
        );
        let edit = annotated(edit, "gen");
        let open = HashMap::from([(
            PathBuf::from("/p/tests/test_a.py"),
            OpenDocument {
                version: 7,
                text: Some("a\nunsaved".into()),
            },
        )]);
        let (ws, left_over) = workspace_edit(&[edit], &open, UTF8);
        assert!(left_over.is_empty());
        let (doc, change) = text_edit(&operations(&ws)[0]);
        assert_eq!(doc.text_document.version, Some(7));
        assert_eq!(change.range.start, Position::new(1, 7));
        assert_eq!(change.new_text, "\nb\n");
        assert_eq!(ws.change_annotations.unwrap()["gen"].label, "testgap: gen");
    }

    #[test]
    fn replacements_are_positioned_in_the_original_text() {
        let edit = Edit::replace(
            "/p/tests/test_a.py".into(),
            "tests/test_a.py".into(),
            "é = 1\nx = 2\n".into(),
            "é = 1\nx = 3\n".into(),
        );
        let open = HashMap::from([(
            PathBuf::from("/p/tests/test_a.py"),
            OpenDocument { version: 3, text: None },
        )]);
        let client = ClientEdits {
            encoding: PositionEncoding::Utf16,
            ..UTF8
        };
        let (ws, _) = workspace_edit(&[annotated(edit, "fix")], &open, client);
        let (doc, change) = text_edit(&operations(&ws)[0]);
        assert_eq!(doc.text_document.version, Some(3));
        assert_eq!(
            (change.range.start, change.range.end),
            (Position::new(1, 0), Position::new(2, 0))
        );
        assert_eq!(change.new_text, "x = 3\n");
    }

    #[test]
    fn new_files_are_created_or_left_to_the_caller() {
        let edit = annotated(
            Edit::create("/p/tests/test_new.py".into(), "tests/test_new.py".into(), "x\n".into()),
            "gen",
        );
        let (ws, left_over) = workspace_edit(std::slice::from_ref(&edit), &HashMap::new(), UTF8);
        assert!(left_over.is_empty());
        let ops = operations(&ws);
        assert!(matches!(&ops[0], DocumentChangeOperation::Op(ResourceOp::Create(_))));
        let (doc, change) = text_edit(&ops[1]);
        assert_eq!(doc.text_document.version, None);
        assert_eq!((change.range, change.new_text.as_str()), (Range::default(), "x\n"));
        let client = ClientEdits {
            create_files: false,
            ..UTF8
        };
        let (ws, left_over) = workspace_edit(&[edit], &HashMap::new(), client);
        assert!(operations(&ws).is_empty());
        assert_eq!(left_over.len(), 1);
    }
}
